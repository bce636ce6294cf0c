package org.lawcircle.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.selection.selectable
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.RadioButton
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.unit.dp
import org.lawcircle.ffi.FenceVerdict
import org.lawcircle.ffi.PunchKind
import org.lawcircle.phone.ClockInPresenter
import org.lawcircle.phone.ClockInState
import org.lawcircle.phone.PunchOutcome

sealed interface ClockInEvent {
    data object Refresh : ClockInEvent
    data class SelectPost(val postId: String) : ClockInEvent
    data class Punch(val kind: PunchKind) : ClockInEvent
}

fun ClockInPresenter.onEvent(e: ClockInEvent) {
    when (e) {
        ClockInEvent.Refresh -> refresh()
        is ClockInEvent.SelectPost -> selectPost(e.postId)
        is ClockInEvent.Punch -> punch(e.kind)
    }
}

/** 值守签到: the posts near the volunteer, the live fence check and the punch. */
@Composable
fun ClockInScreen(state: ClockInState, onEvent: (ClockInEvent) -> Unit) {
    val fix = if (state.hasFix) "定位精度 ±${state.accuracyM?.toInt() ?: "—"} 米" else "正在获取定位…"
    ScreenFrame("值守签到", fix) {
        Column(Modifier.verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(8.dp)) {
            state.check?.let { check ->
                val tone = when (check.verdict) {
                    // Inside, but something staff will look at (e.g. outside the shift).
                    FenceVerdict.INSIDE -> if (check.flags.isEmpty()) Tone.Success else Tone.Warning
                    FenceVerdict.OUTSIDE -> Tone.Error
                    FenceVerdict.UNCERTAIN -> Tone.Warning
                }
                val why = (check.reasons + check.flags).distinct().joinToString("；") { reasonName(it) }
                val post = state.posts.firstOrNull { it.id == state.postId }?.name
                Notice("现在签到：${verdictName(check.verdict)}", listOfNotNull(post, why.ifEmpty { null }).joinToString("\n"), tone)
            }
            Row(horizontalArrangement = Arrangement.spacedBy(12.dp)) {
                val can = !state.punching && state.postId != null
                Button({ onEvent(ClockInEvent.Punch(PunchKind.IN)) }, Modifier.weight(1f), enabled = can) { Text("签到") }
                OutlinedButton({ onEvent(ClockInEvent.Punch(PunchKind.OUT)) }, Modifier.weight(1f), enabled = can) { Text("签退") }
            }
            if (state.punching) Loading("正在记录…")
            state.outcome?.let { OutcomeNotice(it) }
            ErrorNotice(state.error)
            Row(Modifier.fillMaxWidth(), horizontalArrangement = Arrangement.SpaceBetween, verticalAlignment = Alignment.CenterVertically) {
                Text("选择值守点", style = MaterialTheme.typography.titleSmall)
                TextButton({ onEvent(ClockInEvent.Refresh) }, enabled = !state.refreshing) { Text("更新值守点") }
            }
            if (state.refreshing) Loading("正在更新值守点…")
            if (state.posts.isEmpty() && !state.refreshing) Empty("手机中还没有值守点", "联网后点“更新值守点”")
            state.posts.forEach { post ->
                val selected = post.id == state.postId
                Row(
                    Modifier.fillMaxWidth().selectable(selected, role = Role.RadioButton) { onEvent(ClockInEvent.SelectPost(post.id)) },
                    verticalAlignment = Alignment.CenterVertically,
                ) {
                    RadioButton(selected = selected, onClick = null)
                    Column(Modifier.padding(start = 8.dp, top = 6.dp, bottom = 6.dp)) {
                        Text(post.name, style = MaterialTheme.typography.bodyLarge)
                        val where = when {
                            post.hotlineDesk -> "热线席位，按班次签到"
                            post.distanceToFenceM == null -> "距离未知"
                            post.distanceToFenceM!! <= 0.0 -> "您在范围内"
                            else -> "距签到范围 ${metres(post.distanceToFenceM!!)}"
                        }
                        Text(where, style = MaterialTheme.typography.bodySmall)
                    }
                }
            }
        }
    }
}

@Composable
private fun OutcomeNotice(o: PunchOutcome) {
    val accepted = o.verdict != FenceVerdict.OUTSIDE
    val title = punchName(o.kind) + if (accepted) "已记录" else "未通过"
    val parts = buildList {
        add(o.reasons.filterNot { it in o.flags }.joinToString("；") { reasonName(it) })
        if (o.flags.isNotEmpty()) add("已提醒站点核对：" + o.flags.joinToString("、") { reasonName(it) })
        add(if (o.offline) "当前离线，记录已保存在手机上，联网后自动发送。" else "记录已提交平台。")
    }.filter { it.isNotEmpty() }
    val tone = when {
        !accepted -> Tone.Error
        o.verdict == FenceVerdict.UNCERTAIN || o.flags.isNotEmpty() -> Tone.Warning
        else -> Tone.Success
    }
    Notice(title, parts.joinToString("\n"), tone)
}
