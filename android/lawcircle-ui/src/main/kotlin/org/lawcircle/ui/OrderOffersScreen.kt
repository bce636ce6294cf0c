package org.lawcircle.ui

import org.lawcircle.ffi.OrderState
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import org.lawcircle.ffi.OrderSummary
import org.lawcircle.phone.OrderOffersPresenter
import org.lawcircle.phone.OrderOffersState

sealed interface OrderOffersEvent {
    data object Refresh : OrderOffersEvent
    data class Grab(val orderId: String) : OrderOffersEvent
    data class Accept(val orderId: String) : OrderOffersEvent
    data class Decline(val orderId: String, val reason: String) : OrderOffersEvent
    data class Start(val orderId: String) : OrderOffersEvent
    data class Resolve(val orderId: String, val note: String) : OrderOffersEvent

    /** Opens the order's detail: the need, place, files and contact (another screen: the app's). */
    data class ShowDetail(val orderId: String) : OrderOffersEvent

    /** Shows the resolved order's rating code to the requester (another screen: the app's). */
    data class ShowRatingCode(val orderId: String) : OrderOffersEvent
}

/** The presenter's part of the events; [OrderOffersEvent.ShowRatingCode] and [OrderOffersEvent.ShowDetail] are navigation. */
fun OrderOffersPresenter.onEvent(e: OrderOffersEvent) {
    when (e) {
        OrderOffersEvent.Refresh -> refresh()
        is OrderOffersEvent.Grab -> grab(e.orderId)
        is OrderOffersEvent.Accept -> accept(e.orderId)
        is OrderOffersEvent.Decline -> decline(e.orderId, e.reason)
        is OrderOffersEvent.Start -> startWork(e.orderId)
        is OrderOffersEvent.Resolve -> resolve(e.orderId, e.note)
        is OrderOffersEvent.ShowRatingCode, is OrderOffersEvent.ShowDetail -> Unit
    }
}

/** 接单: live offers nearby, orders dispatched to me, and the one I work on. */
@Composable
fun OrderOffersScreen(state: OrderOffersState, onEvent: (OrderOffersEvent) -> Unit) {
    val t = strings
    val live = if (state.live) t.live else t.connecting
    ScreenFrame(t.offersTitle, live) {
        Column(Modifier.verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(8.dp)) {
            if (!state.live && state.disconnectedReason != null) {
                Notice(t.disconnected, t.disconnectedDetail, Tone.Warning)
            }
            ErrorNotice(state.error)
            state.current?.let { CurrentOrder(it, state.busy == it.id, onEvent) }
            val dispatched = state.assigned.filter { it.state == OrderState.ASSIGNED }
            if (dispatched.isNotEmpty()) {
                Text(t.dispatchedToMe, style = MaterialTheme.typography.titleSmall)
                dispatched.forEach { o ->
                    OrderCard(o) {
                        Button({ onEvent(OrderOffersEvent.Accept(o.id)) }, enabled = state.busy == null) { Text(t.accept) }
                        TextButton({ onEvent(OrderOffersEvent.Decline(o.id, t.declineReasonBusy)) }, enabled = state.busy == null) { Text(t.decline) }
                    }
                }
            }
            Row(Modifier.fillMaxWidth(), verticalAlignment = Alignment.CenterVertically) {
                Text(t.nearbyRequests, Modifier.weight(1f), style = MaterialTheme.typography.titleSmall)
                TextButton({ onEvent(OrderOffersEvent.Refresh) }) { Text(t.refresh) }
            }
            if (state.offers.isEmpty()) {
                Empty(t.noOffers, t.noOffersHint)
            }
            state.offers.forEach { o ->
                OrderCard(o) {
                    Button({ onEvent(OrderOffersEvent.Grab(o.id)) }, enabled = state.busy == null) {
                        Text(if (state.busy == o.id) t.grabbing else t.grab)
                    }
                }
            }
        }
    }
}

@Composable
private fun OrderCard(o: OrderSummary, actions: @Composable () -> Unit) {
    val t = strings
    Card(Modifier.fillMaxWidth()) {
        Row(Modifier.padding(12.dp), verticalAlignment = Alignment.CenterVertically) {
            Column(Modifier.weight(1f)) {
                Text(t.categoryName(o.category) + if (o.urgent) t.urgentMark else "", style = MaterialTheme.typography.titleSmall)
                Text(t.submittedAt(shortTime(o.createdAtMs)), style = MaterialTheme.typography.bodySmall)
                o.deadlineMs?.let { Text(t.respondBy(shortTime(it)), style = MaterialTheme.typography.bodySmall) }
            }
            actions()
        }
    }
}

@Composable
private fun CurrentOrder(o: OrderSummary, busy: Boolean, onEvent: (OrderOffersEvent) -> Unit) {
    val t = strings
    var note by remember(o.id) { mutableStateOf("") }
    Card(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(12.dp), verticalArrangement = Arrangement.spacedBy(6.dp)) {
            Text(t.myOrder(t.categoryName(o.category)), style = MaterialTheme.typography.titleMedium)
            Text(t.stateIs(t.orderState(o.state)), color = MaterialTheme.colorScheme.primary)
            TextButton({ onEvent(OrderOffersEvent.ShowDetail(o.id)) }) { Text(t.orderDetailTitle) }
            when (o.state) {
                OrderState.CLAIMED, OrderState.ASSIGNED ->
                    Button({ onEvent(OrderOffersEvent.Start(o.id)) }, enabled = !busy) { Text(t.startService) }
                OrderState.IN_PROGRESS -> {
                    OutlinedTextField(note, { note = it }, Modifier.fillMaxWidth(), label = { Text(t.resolveNote) }, minLines = 2)
                    Button({ onEvent(OrderOffersEvent.Resolve(o.id, note)) }, enabled = !busy && note.isNotBlank()) { Text(t.resolve) }
                }
                OrderState.RESOLVED -> OutlinedButton({ onEvent(OrderOffersEvent.ShowRatingCode(o.id)) }) { Text(t.showRatingCode) }
                else -> Unit
            }
            if (busy) Loading(t.submitting)
        }
    }
}
