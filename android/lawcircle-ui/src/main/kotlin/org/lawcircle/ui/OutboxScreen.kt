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
    val c = state.counts
    val subtitle = c?.let { "待发送 ${it.pending} 条 · 需处理 ${it.wedged} 条 · 已送达 ${it.sent} 条" } ?: "正在读取…"
    ScreenFrame("待发送", subtitle) {
        Button({ onEvent(OutboxEvent.Sync) }, Modifier.fillMaxWidth().padding(top = 8.dp), enabled = !state.syncing) { Text("立即发送") }
        if (state.syncing) Loading("正在发送…")
        if (state.offline) {
            Notice("当前离线", "内容都保存在手机上，不会丢失；联网后会自动发送。", Tone.Warning)
        } else {
            ErrorNotice(state.error)
        }
        state.lastSync?.takeIf { !state.offline && !state.syncing }?.let {
            val tone = if (it.wedged > 0uL || it.failed > 0uL) Tone.Warning else Tone.Success
            Notice("本次送达 ${it.sent} 条", "仍待发送 ${it.pending} 条", tone)
        }
        if (state.entries.isEmpty()) {
            Empty("没有待发送的内容", "离线登记的需求和签到会出现在这里")
        } else {
            LazyColumn(verticalArrangement = Arrangement.spacedBy(8.dp)) {
                items(state.entries, key = { it.key }) { EntryCard(it, onEvent) }
            }
        }
    }
}

@Composable
private fun EntryCard(e: OutboxEntry, onEvent: (OutboxEvent) -> Unit) {
    Card(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(12.dp)) {
            Text(outboxKindName(e.kind), style = MaterialTheme.typography.titleSmall)
            val color = when (e.state) {
                OutboxState.WEDGED, OutboxState.FAILED -> MaterialTheme.colorScheme.error
                OutboxState.SENT -> MaterialTheme.colorScheme.primary
                else -> MaterialTheme.colorScheme.onSurface
            }
            val tries = if (e.attempts > 1u) "（已尝试 ${e.attempts} 次）" else ""
            Text(outboxStateName(e.state) + tries, color = color, style = MaterialTheme.typography.bodyMedium)
            e.lastError?.takeIf { e.state == OutboxState.WEDGED || e.state == OutboxState.FAILED }?.let {
                Text("原因：$it", style = MaterialTheme.typography.bodySmall)
            }
            if (e.state == OutboxState.WEDGED || e.state == OutboxState.FAILED) {
                Row {
                    TextButton({ onEvent(OutboxEvent.Retry(e.key)) }) { Text("重新发送") }
                    TextButton({ onEvent(OutboxEvent.Discard(e.key)) }) { Text("放弃") }
                }
            }
        }
    }
}
