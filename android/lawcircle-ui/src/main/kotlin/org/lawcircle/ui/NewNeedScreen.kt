package org.lawcircle.ui

import org.lawcircle.ffi.NeedCategory
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.selection.toggleable
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.Checkbox
import androidx.compose.material3.FilterChip
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.unit.dp
import org.lawcircle.phone.NeedFields
import org.lawcircle.phone.NewNeedPresenter
import org.lawcircle.phone.NewNeedState

sealed interface NewNeedEvent {
    data class Name(val value: String) : NewNeedEvent
    data class Phone(val value: String) : NewNeedEvent
    data class IdNumber(val value: String) : NewNeedEvent
    data class Category(val category: NeedCategory) : NewNeedEvent
    data class Urgency(val urgency: org.lawcircle.ffi.Urgency) : NewNeedEvent
    data class Description(val value: String) : NewNeedEvent
    data class Address(val value: String) : NewNeedEvent
    data class AreaCode(val value: String) : NewNeedEvent
    data class Consent(val given: Boolean) : NewNeedEvent

    /** The village from the phone's fix (the app passes the fix to [NewNeedPresenter.villageFromFix]). */
    data object VillageFromGps : NewNeedEvent
    data class SearchVillage(val text: String) : NewNeedEvent
    data class PickVillage(val village: org.lawcircle.ffi.Village) : NewNeedEvent

    /** Opens the camera or photo picker (the Android glue), which then sends [Attach]. */
    data object PickPhoto : NewNeedEvent

    /** A photo or document the app wrote to [path] (e.g. a downscaled JPEG in its cache). */
    class Attach(val path: String, val displayName: String? = null) : NewNeedEvent
    data class RemoveAttachment(val index: Int) : NewNeedEvent
    data object Submit : NewNeedEvent

    /** Keeps the form as a draft (草稿) to finish later. */
    data object SaveDraft : NewNeedEvent

    /** A blank form for the next person. */
    data object Another : NewNeedEvent
}

/** The presenter's part of the events; [NewNeedEvent.PickPhoto] and [NewNeedEvent.VillageFromGps] are the app's (the photo picker, the fix). */
fun NewNeedPresenter.onEvent(e: NewNeedEvent) {
    fun set(change: (NeedFields) -> NeedFields) = edit(change)
    when (e) {
        is NewNeedEvent.Name -> set { it.copy(requesterName = e.value) }
        is NewNeedEvent.Phone -> set { it.copy(requesterPhone = e.value) }
        is NewNeedEvent.IdNumber -> set { it.copy(requesterIdNumber = e.value) }
        is NewNeedEvent.Category -> set { it.copy(category = e.category) }
        is NewNeedEvent.Urgency -> set { it.copy(urgency = e.urgency) }
        is NewNeedEvent.Description -> set { it.copy(description = e.value) }
        is NewNeedEvent.Address -> set { it.copy(address = e.value) }
        is NewNeedEvent.AreaCode -> set { it.copy(areaCode = e.value) }
        is NewNeedEvent.Consent -> set { it.copy(consentGiven = e.given) }
        NewNeedEvent.VillageFromGps -> Unit
        is NewNeedEvent.SearchVillage -> searchVillages(e.text)
        is NewNeedEvent.PickVillage -> pickVillage(e.village)
        NewNeedEvent.PickPhoto -> Unit
        is NewNeedEvent.Attach -> addAttachment(e.path, e.displayName)
        is NewNeedEvent.RemoveAttachment -> removeAttachment(e.index)
        NewNeedEvent.Submit -> submit()
        NewNeedEvent.SaveDraft -> saveDraft()
        NewNeedEvent.Another -> reset()
    }
}

/** 登记需求: a resident's own need, or one a lawyer enters on site; saved offline, sent when online. */
@Composable
fun NewNeedScreen(state: NewNeedState, onEvent: (NewNeedEvent) -> Unit) {
    val t = strings
    val f = state.fields
    ScreenFrame(t.newNeedTitle, t.newNeedSubtitle) {
        if (state.submittedKey != null) {
            Notice(t.saved, t.savedDetail, Tone.Success)
            Button({ onEvent(NewNeedEvent.Another) }, Modifier.fillMaxWidth()) { Text(t.another) }
            return@ScreenFrame
        }
        Column(Modifier.verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(6.dp)) {
            Input(t.name, f.requesterName, state.problemText(t, "requester.name")) { onEvent(NewNeedEvent.Name(it)) }
            Input(t.phone, f.requesterPhone, state.problemText(t, "requester.phone")) { onEvent(NewNeedEvent.Phone(it)) }
            Input(t.idNumberOptional, f.requesterIdNumber, state.problemText(t, "requester.id_number")) { onEvent(NewNeedEvent.IdNumber(it)) }
            Text(t.whichService, style = MaterialTheme.typography.titleSmall)
            ChipRows(state.categories.map { it.category to t.category(it.category, it.name) }, f.category) { onEvent(NewNeedEvent.Category(it)) }
            Text(t.urgencyTitle, style = MaterialTheme.typography.titleSmall)
            ChipRows(urgencies.map { it to t.urgency(it) }, f.urgency) { onEvent(NewNeedEvent.Urgency(it)) }
            Input(t.description, f.description, state.problemText(t, "description"), singleLine = false) { onEvent(NewNeedEvent.Description(it)) }
            Input(t.address, f.address, state.problemText(t, "location.address")) { onEvent(NewNeedEvent.Address(it)) }
            VillagePicker(state, t, onEvent)
            state.attachments.forEachIndexed { i, a ->
                Row(verticalAlignment = Alignment.CenterVertically) {
                    val problem = state.problem("attachments[$i]")
                    Text(
                        t.photo(i + 1, (a.sizeBytes + 1023) / 1024, problem),
                        Modifier.weight(1f),
                        color = if (problem != null) MaterialTheme.colorScheme.error else MaterialTheme.colorScheme.onSurface,
                    )
                    TextButton({ onEvent(NewNeedEvent.RemoveAttachment(i)) }) { Text(t.remove) }
                }
            }
            OutlinedButton({ onEvent(NewNeedEvent.PickPhoto) }) { Text(t.addPhoto) }
            Row(
                Modifier.fillMaxWidth().toggleable(f.consentGiven, role = Role.Checkbox) { onEvent(NewNeedEvent.Consent(it)) },
                verticalAlignment = Alignment.CenterVertically,
            ) {
                Checkbox(f.consentGiven, onCheckedChange = null)
                Text(t.consent, Modifier.padding(start = 8.dp))
            }
            state.problemText(t, "consent.given")?.let { Text(it, color = MaterialTheme.colorScheme.error) }
            if (state.problems.isNotEmpty()) Notice(t.problemsLeft(state.problems.size), null, Tone.Error)
            ErrorNotice(state.error)
            if (state.submitting) Loading(t.checkingAndSaving)
            if (state.draftSaved) Notice(t.draftSaved, t.draftSavedDetail, Tone.Success)
            Row(Modifier.fillMaxWidth(), horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                OutlinedButton(
                    { onEvent(NewNeedEvent.SaveDraft) }, Modifier.weight(1f),
                    enabled = !state.submitting && !state.savingDraft,
                ) { Text(t.saveDraft) }
                Button({ onEvent(NewNeedEvent.Submit) }, Modifier.weight(1f), enabled = !state.submitting) { Text(t.submit) }
            }
        }
    }
}

/** The village/community: from the fix, or searched by name on the phone's list; the code is never typed. */
@Composable
private fun VillagePicker(state: NewNeedState, t: Strings, onEvent: (NewNeedEvent) -> Unit) {
    val picked = state.village
    if (picked != null) {
        Row(verticalAlignment = Alignment.CenterVertically) {
            Text(t.villagePicked(picked.name, picked.streetName), Modifier.weight(1f), style = MaterialTheme.typography.bodyLarge)
            TextButton({ onEvent(NewNeedEvent.SearchVillage("")) }) { Text(t.changeVillage) }
        }
    } else {
        OutlinedButton({ onEvent(NewNeedEvent.VillageFromGps) }) { Text(t.villageFromGps) }
        Input(t.searchVillage, state.villageSearch, state.problemText(t, "location.area_code")) { onEvent(NewNeedEvent.SearchVillage(it)) }
        if (state.villageChoices.isNotEmpty()) {
            ChipRows(state.villageChoices.map { it to "${it.name}（${it.streetName}）" }, null) { onEvent(NewNeedEvent.PickVillage(it)) }
        }
    }
}

/** A field's problem in words, or null. */
private fun NewNeedState.problemText(t: Strings, field: String): String? = problem(field)?.let { t.problem(field, it) }

@Composable
internal fun Input(label: String, value: String, problem: String?, singleLine: Boolean = true, onChange: (String) -> Unit) {
    OutlinedTextField(
        value = value,
        onValueChange = onChange,
        modifier = Modifier.fillMaxWidth(),
        label = { Text(label) },
        singleLine = singleLine,
        minLines = if (singleLine) 1 else 3,
        isError = problem != null,
        supportingText = problem?.let { p -> { Text(p) } },
    )
}

/** A single choice among a few, as chips that wrap. */
@OptIn(ExperimentalLayoutApi::class)
@Composable
internal fun <T> ChipRows(choices: List<Pair<T, String>>, selected: T?, onPick: (T) -> Unit) {
    FlowRow(horizontalArrangement = Arrangement.spacedBy(6.dp)) {
        choices.forEach { (code, name) -> FilterChip(selected = code == selected, onClick = { onPick(code) }, label = { Text(name) }) }
    }
}
