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
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import org.lawcircle.ffi.OutboxEntry
import org.lawcircle.ffi.OutboxState
import org.lawcircle.phone.OutboxPresenter
import org.lawcircle.phone.OutboxScreenState

sealed interface OutboxEvent {
    data object Sync : OutboxEvent
    data class Retry(val key: String) : OutboxEvent
    data class Discard(val key: String) : OutboxEvent
}

fun OutboxPresenter.onEvent(e: OutboxEvent) {
    when (e) {
        OutboxEvent.Sync -> sync()
        is OutboxEvent.Retry -> retry(e.key)
        is OutboxEvent.Discard -> discard(e.key)
    }
}

/** 待发送: what the phone holds for the platform, and what went wrong. */
@Composable
fun OutboxScreen(state: OutboxScreenState, onEvent: (OutboxEvent) -> Unit) {
    val t = strings
    val c = state.counts
    val subtitle = c?.let { t.outboxCounts(it.pending, it.wedged, it.sent) } ?: t.reading
    ScreenFrame(t.outboxTitle, subtitle) {
        Button({ onEvent(OutboxEvent.Sync) }, Modifier.fillMaxWidth().padding(top = 8.dp), enabled = !state.syncing) { Text(t.sendNow) }
        if (state.syncing) Loading(t.sending)
        if (state.offline) {
            Notice(t.offlineTitle, t.offlineOutbox, Tone.Warning)
        } else {
            ErrorNotice(state.error)
        }
        state.lastSync?.takeIf { !state.offline && !state.syncing }?.let {
            val tone = if (it.wedged > 0uL || it.failed > 0uL) Tone.Warning else Tone.Success
            Notice(t.syncSent(it.sent), t.syncPending(it.pending), tone)
        }
        if (state.entries.isEmpty()) {
            Empty(t.outboxEmpty, t.outboxEmptyHint)
        } else {
            LazyColumn(verticalArrangement = Arrangement.spacedBy(8.dp)) {
                items(state.entries, key = { it.key }) { EntryCard(it, onEvent) }
            }
        }
    }
}

@Composable
private fun EntryCard(e: OutboxEntry, onEvent: (OutboxEvent) -> Unit) {
    val t = strings
    Card(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(12.dp)) {
            Text(t.outboxKind(e.kind), style = MaterialTheme.typography.titleSmall)
            val color = when (e.state) {
                OutboxState.WEDGED, OutboxState.FAILED -> MaterialTheme.colorScheme.error
                OutboxState.SENT -> MaterialTheme.colorScheme.primary
                else -> MaterialTheme.colorScheme.onSurface
            }
            val tries = if (e.attempts > 1u) t.attempts(e.attempts) else ""
            Text(t.outboxState(e.state) + tries, color = color, style = MaterialTheme.typography.bodyMedium)
            e.lastError?.takeIf { e.state == OutboxState.WEDGED || e.state == OutboxState.FAILED }?.let {
                Text(t.because(it), style = MaterialTheme.typography.bodySmall)
            }
            if (e.state == OutboxState.WEDGED || e.state == OutboxState.FAILED) {
                Row {
                    TextButton({ onEvent(OutboxEvent.Retry(e.key)) }) { Text(t.sendAgain) }
                    TextButton({ onEvent(OutboxEvent.Discard(e.key)) }) { Text(t.discard) }
                }
            }
        }
    }
}
