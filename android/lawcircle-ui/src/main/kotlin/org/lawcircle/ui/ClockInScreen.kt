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
    val t = strings
    val fix = if (state.hasFix) t.accuracy(state.accuracyM?.toInt()) else t.gettingFix
    ScreenFrame(t.clockInTitle, fix) {
        Column(Modifier.verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(8.dp)) {
            state.check?.let { check ->
                val tone = when (check.verdict) {
                    // Inside, but something staff will look at (e.g. outside the shift).
                    FenceVerdict.INSIDE -> if (check.flags.isEmpty()) Tone.Success else Tone.Warning
                    FenceVerdict.OUTSIDE -> Tone.Error
                    FenceVerdict.UNCERTAIN -> Tone.Warning
                }
                val why = (check.reasons + check.flags).distinct().joinToString(t.listSeparator) { t.reason(it) }
                val post = state.posts.firstOrNull { it.id == state.postId }?.name
                Notice(t.checkNow(t.verdict(check.verdict)), listOfNotNull(post, why.ifEmpty { null }).joinToString("\n"), tone)
            }
            Row(horizontalArrangement = Arrangement.spacedBy(12.dp)) {
                val can = !state.punching && state.postId != null
                Button({ onEvent(ClockInEvent.Punch(PunchKind.IN)) }, Modifier.weight(1f), enabled = can) { Text(t.punch(PunchKind.IN)) }
                OutlinedButton({ onEvent(ClockInEvent.Punch(PunchKind.OUT)) }, Modifier.weight(1f), enabled = can) { Text(t.punch(PunchKind.OUT)) }
            }
            if (state.punching) Loading(t.recording)
            state.outcome?.let { OutcomeNotice(it) }
            ErrorNotice(state.error)
            Row(Modifier.fillMaxWidth(), horizontalArrangement = Arrangement.SpaceBetween, verticalAlignment = Alignment.CenterVertically) {
                Text(t.choosePost, style = MaterialTheme.typography.titleSmall)
                TextButton({ onEvent(ClockInEvent.Refresh) }, enabled = !state.refreshing) { Text(t.updatePosts) }
            }
            if (state.refreshing) Loading(t.updatingPosts)
            if (state.posts.isEmpty() && !state.refreshing) Empty(t.noPosts, t.noPostsHint)
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
                            post.hotlineDesk -> t.hotlineDesk
                            post.distanceToFenceM == null -> t.distanceUnknown
                            post.distanceToFenceM!! <= 0.0 -> t.insideFence
                            else -> t.toFence(t.metres(post.distanceToFenceM!!))
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
    val t = strings
    val accepted = o.verdict != FenceVerdict.OUTSIDE
    val title = t.punchRecorded(t.punch(o.kind), accepted)
    val parts = buildList {
        add(o.reasons.filterNot { it in o.flags }.joinToString(t.listSeparator) { t.reason(it) })
        if (o.flags.isNotEmpty()) add(t.flaggedForStaff(o.flags.joinToString(t.listSeparator) { t.reason(it) }))
        add(if (o.offline) t.punchSavedOffline else t.punchSubmitted)
    }.filter { it.isNotEmpty() }
    val tone = when {
        !accepted -> Tone.Error
        o.verdict == FenceVerdict.UNCERTAIN || o.flags.isNotEmpty() -> Tone.Warning
        else -> Tone.Success
    }
    Notice(title, parts.joinToString("\n"), tone)
}
