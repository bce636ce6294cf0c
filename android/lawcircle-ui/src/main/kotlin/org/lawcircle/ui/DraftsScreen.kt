package org.lawcircle.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.ButtonDefaults
import androidx.compose.material3.Card
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import org.lawcircle.ffi.NeedFormDraft
import org.lawcircle.phone.DraftsPresenter
import org.lawcircle.phone.DraftsState

sealed interface DraftsEvent {
    data object Refresh : DraftsEvent

    /** Opens the need form with this draft (navigation: the app's, through [DraftsPresenter.draftToResume]). */
    data class Resume(val id: String) : DraftsEvent

    /** Asks "discard this draft?" first. */
    data class Discard(val id: String) : DraftsEvent
    data object ConfirmDiscard : DraftsEvent
    data object KeepDraft : DraftsEvent
}

fun DraftsPresenter.onEvent(e: DraftsEvent) {
    when (e) {
        DraftsEvent.Refresh -> refresh()
        is DraftsEvent.Resume -> Unit
        is DraftsEvent.Discard -> askDiscard(e.id)
        DraftsEvent.ConfirmDiscard -> confirmDiscard()
        DraftsEvent.KeepDraft -> keep()
    }
}

/** 草稿箱: need forms kept on the phone, to finish or discard (offline too). */
@Composable
fun DraftsScreen(state: DraftsState, onEvent: (DraftsEvent) -> Unit) {
    val t = strings
    val drafts = state.drafts
    ScreenFrame(t.draftsTitle, if (drafts.isNullOrEmpty()) t.draftsSubtitle else t.draftCount(drafts.size)) {
        Row(Modifier.fillMaxWidth(), verticalAlignment = Alignment.CenterVertically) {
            Text(t.draftsOnPhone, Modifier.weight(1f), style = MaterialTheme.typography.titleSmall)
            TextButton({ onEvent(DraftsEvent.Refresh) }, enabled = !state.loading) { Text(t.refresh) }
        }
        if (state.loading) Loading(t.reading)
        ErrorNotice(state.error)
        if (drafts != null && drafts.isEmpty() && !state.loading && state.error == null) {
            Empty(t.noDrafts, t.noDraftsHint)
        }
        LazyColumn(verticalArrangement = Arrangement.spacedBy(8.dp)) {
            items(drafts.orEmpty(), key = { it.id }) { d ->
                DraftCard(d, confirming = state.confirmingDiscard == d.id, busy = state.loading, onEvent = onEvent)
            }
        }
    }
}

@Composable
private fun DraftCard(d: NeedFormDraft, confirming: Boolean, busy: Boolean, onEvent: (DraftsEvent) -> Unit) {
    val t = strings
    val form = d.form
    Card(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(12.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
            Text(t.categoryName(form.category), style = MaterialTheme.typography.titleSmall)
            // Who it is for and the start of the trouble: enough to recognise it, on the phone that typed it.
            val who = form.requesterName.ifBlank { t.draftNoName }
            Text(who, style = MaterialTheme.typography.bodyMedium)
            if (form.description.isNotBlank()) {
                Text(form.description.take(DESCRIPTION_PREVIEW) + if (form.description.length > DESCRIPTION_PREVIEW) "…" else "", style = MaterialTheme.typography.bodySmall)
            }
            Text(t.draftSavedAt(shortTime(d.updatedAtMs), form.attachments.size), style = MaterialTheme.typography.bodySmall)
            if (confirming) {
                Notice(t.discardDraftQuestion, t.discardDraftDetail, Tone.Warning)
                Row(Modifier.fillMaxWidth(), horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                    OutlinedButton({ onEvent(DraftsEvent.KeepDraft) }, Modifier.weight(1f)) { Text(t.keepDraft) }
                    Button(
                        { onEvent(DraftsEvent.ConfirmDiscard) }, Modifier.weight(1f), enabled = !busy,
                        colors = ButtonDefaults.buttonColors(containerColor = MaterialTheme.colorScheme.error),
                    ) { Text(t.discardDraft) }
                }
            } else {
                Row(Modifier.fillMaxWidth(), horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                    OutlinedButton({ onEvent(DraftsEvent.Discard(d.id)) }, Modifier.weight(1f), enabled = !busy) { Text(t.discard) }
                    Button({ onEvent(DraftsEvent.Resume(d.id)) }, Modifier.weight(1f), enabled = !busy) { Text(t.resumeDraft) }
                }
            }
        }
    }
}

/** How much of a draft's description its card shows. */
private const val DESCRIPTION_PREVIEW = 40
