package org.lawcircle.ui

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
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import org.lawcircle.ffi.OrderAttachment
import org.lawcircle.ffi.Point
import org.lawcircle.phone.OrderDetailPresenter
import org.lawcircle.phone.OrderDetailState

sealed interface OrderDetailEvent {
    data object Load : OrderDetailEvent
    data class ContactReason(val text: String) : OrderDetailEvent
    data object ReadContact : OrderDetailEvent
    data class Download(val attachmentId: String) : OrderDetailEvent

    /** Opens a downloaded file in the phone's viewer (the app's hand-off). */
    data class OpenFile(val path: String, val contentType: String) : OrderDetailEvent

    /** The dialer and the map app (the app's hand-offs). */
    data class Call(val phone: String) : OrderDetailEvent
    data class Navigate(val place: Point) : OrderDetailEvent
}

/** The presenter's part of the events; opening a file, calling and navigating are the app's. */
fun OrderDetailPresenter.onEvent(e: OrderDetailEvent) {
    when (e) {
        OrderDetailEvent.Load -> load()
        is OrderDetailEvent.ContactReason -> setContactReason(e.text)
        OrderDetailEvent.ReadContact -> readContact()
        is OrderDetailEvent.Download -> download(e.attachmentId)
        is OrderDetailEvent.OpenFile, is OrderDetailEvent.Call, is OrderDetailEvent.Navigate -> Unit
    }
}

/** 订单详情: the need of an order the user holds, its place and files, and the requester's contact read with a reason. */
@Composable
fun OrderDetailScreen(state: OrderDetailState, onEvent: (OrderDetailEvent) -> Unit) {
    val t = strings
    val d = state.detail
    ScreenFrame(t.orderDetailTitle, d?.let { "${t.categoryName(it.category)} · ${t.orderState(it.order.state)}" } ?: state.orderId) {
        Column(Modifier.verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(8.dp)) {
            if (state.loading) Loading(t.reading)
            if (state.offline) Notice(t.offlineTitle, t.orderDetailOffline, Tone.Warning) else ErrorNotice(state.error)
            if (d == null) {
                if (!state.loading) TextButton({ onEvent(OrderDetailEvent.Load) }) { Text(if (state.error == null) t.refresh else t.searchAgain) }
                return@Column
            }
            Card(Modifier.fillMaxWidth()) {
                Column(Modifier.padding(12.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
                    Text(t.labelled(t.urgencyTitle, t.urgency(d.urgency)), style = MaterialTheme.typography.bodySmall)
                    Text(d.description, style = MaterialTheme.typography.bodyLarge)
                }
            }
            Text(t.place, style = MaterialTheme.typography.titleSmall)
            Text(listOfNotNull(d.areaName, d.address.ifBlank { null }).joinToString(" · "), style = MaterialTheme.typography.bodyMedium)
            d.place?.let { p -> OutlinedButton({ onEvent(OrderDetailEvent.Navigate(p)) }) { Text(t.navigate) } }
            Text(t.attachmentsTitle(d.attachments.size), style = MaterialTheme.typography.titleSmall)
            d.attachments.forEach { a -> AttachmentRow(a, state, onEvent) }
            Text(t.requesterContact, style = MaterialTheme.typography.titleSmall)
            val contact = state.contact
            if (contact == null) {
                Text(t.contactAudited, style = MaterialTheme.typography.bodySmall)
                OutlinedTextField(
                    state.contactReason, { onEvent(OrderDetailEvent.ContactReason(it)) }, Modifier.fillMaxWidth(),
                    label = { Text(t.contactReason) }, singleLine = true,
                    isError = state.error?.field == "reason",
                )
                Button({ onEvent(OrderDetailEvent.ReadContact) }, enabled = !state.readingContact) { Text(t.showContact) }
                if (state.readingContact) Loading(t.reading)
            } else {
                Notice(contact.name, contact.phone, Tone.Info)
                Button({ onEvent(OrderDetailEvent.Call(contact.phone)) }) { Text(t.call(contact.phone)) }
            }
        }
    }
}

@Composable
private fun AttachmentRow(a: OrderAttachment, state: OrderDetailState, onEvent: (OrderDetailEvent) -> Unit) {
    val t = strings
    Row(Modifier.fillMaxWidth(), verticalAlignment = Alignment.CenterVertically) {
        Text(
            "${t.fileKind(a.contentType)} · ${(a.sizeBytes + 1023uL) / 1024uL} KB",
            Modifier.weight(1f),
            style = MaterialTheme.typography.bodyMedium,
        )
        val path = state.downloaded[a.id]
        when {
            path != null -> TextButton({ onEvent(OrderDetailEvent.OpenFile(path, a.contentType)) }) { Text(t.open) }
            state.downloading == a.id -> Loading(t.downloading)
            else -> TextButton({ onEvent(OrderDetailEvent.Download(a.id)) }, enabled = state.downloading == null) { Text(t.download) }
        }
    }
}
