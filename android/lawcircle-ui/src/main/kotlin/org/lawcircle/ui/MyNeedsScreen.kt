package org.lawcircle.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import org.lawcircle.ffi.NeedStep
import org.lawcircle.phone.MyNeedsPresenter
import org.lawcircle.phone.MyNeedsState

sealed interface MyNeedsEvent {
    data object Refresh : MyNeedsEvent

    /** Opens the rating screen for the need's order (navigation: the app's). */
    data class Rate(val orderId: String) : MyNeedsEvent
}

fun MyNeedsPresenter.onEvent(e: MyNeedsEvent) {
    when (e) {
        MyNeedsEvent.Refresh -> refresh()
        is MyNeedsEvent.Rate -> Unit
    }
}

/** 我的需求: each need with its progress; a resolved one may be rated. */
@Composable
fun MyNeedsScreen(state: MyNeedsState, onEvent: (MyNeedsEvent) -> Unit) {
    val t = strings
    val sub = if (state.needs.isEmpty()) t.myNeedsSubtitle else t.needCount(state.needs.size, state.rateable.size)
    ScreenFrame(t.myNeedsTitle, sub) {
        Row(Modifier.fillMaxWidth(), verticalAlignment = Alignment.CenterVertically) {
            Text(t.progress, Modifier.weight(1f), style = MaterialTheme.typography.titleSmall)
            TextButton({ onEvent(MyNeedsEvent.Refresh) }, enabled = !state.loading) { Text(t.refresh) }
        }
        if (state.loading) Loading(t.reading)
        ErrorNotice(state.error)
        if (state.needs.isEmpty() && !state.loading && state.error == null) {
            Empty(t.noNeeds, t.noNeedsHint)
        }
        LazyColumn(verticalArrangement = Arrangement.spacedBy(8.dp)) {
            items(state.needs, key = { it.id }) { n ->
                Card(Modifier.fillMaxWidth()) {
                    Column(Modifier.padding(12.dp)) {
                        Row(verticalAlignment = Alignment.CenterVertically) {
                            Column(Modifier.weight(1f)) {
                                Text(t.categoryName(n.category), style = MaterialTheme.typography.titleSmall)
                                Text(t.receivedAt(shortTime(n.receivedAtMs)), style = MaterialTheme.typography.bodySmall)
                                Text(t.orderState(n.orderState), color = MaterialTheme.colorScheme.primary)
                            }
                            val order = n.orderId
                            if (n.mayRate && order != null) Button({ onEvent(MyNeedsEvent.Rate(order)) }) { Text(t.rate) }
                        }
                        NeedHistory(n.history)
                    }
                }
            }
        }
    }
}

/** A need's steps, oldest first: when, and what happened in words. */
@Composable
private fun NeedHistory(steps: List<NeedStep>) {
    if (steps.isEmpty()) return
    val t = strings
    Column(Modifier.padding(top = 8.dp), verticalArrangement = Arrangement.spacedBy(2.dp)) {
        Text(t.needHistory, style = MaterialTheme.typography.labelMedium)
        for (step in steps) {
            Row {
                Text(shortTime(step.atMs), Modifier.padding(end = 8.dp), style = MaterialTheme.typography.bodySmall)
                Text(t.needStep(step.what), style = MaterialTheme.typography.bodySmall)
            }
        }
    }
}
