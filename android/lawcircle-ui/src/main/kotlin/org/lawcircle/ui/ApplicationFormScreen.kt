package org.lawcircle.ui

import org.lawcircle.ffi.Verdict
import org.lawcircle.ffi.DocumentKind
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.selection.selectable
import androidx.compose.foundation.selection.toggleable
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.Checkbox
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.RadioButton
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.unit.dp
import org.lawcircle.ffi.FormWidget
import org.lawcircle.phone.ApplicationFormPresenter
import org.lawcircle.phone.ApplicationFormState
import org.lawcircle.phone.FormFieldState
import org.lawcircle.phone.NeedFields
import org.lawcircle.phone.OpenForm

sealed interface ApplicationFormEvent {
    data object Load : ApplicationFormEvent
    data class Open(val serviceCode: String) : ApplicationFormEvent
    data object Close : ApplicationFormEvent
    data class Edit(val field: String, val raw: String) : ApplicationFormEvent
    data class Toggle(val field: String, val key: String) : ApplicationFormEvent
    data class DocumentAtHand(val kind: DocumentKind, val provided: Boolean) : ApplicationFormEvent
    data object Submit : ApplicationFormEvent
}

/** [contact] is the applicant's contact part (the need form's fields) at the time of submitting. */
fun ApplicationFormPresenter.onEvent(e: ApplicationFormEvent, contact: () -> NeedFields) {
    when (e) {
        ApplicationFormEvent.Load -> load()
        is ApplicationFormEvent.Open -> open(e.serviceCode)
        ApplicationFormEvent.Close -> closeForm()
        is ApplicationFormEvent.Edit -> edit(e.field, e.raw)
        is ApplicationFormEvent.Toggle -> toggleChoice(e.field, e.key)
        is ApplicationFormEvent.DocumentAtHand -> setDocumentProvided(e.kind, e.provided)
        ApplicationFormEvent.Submit -> submit(contact())
    }
}

/** The form's own words in the current language (the schema carries both; an empty English one falls back to Chinese). */
private fun Strings.pick(zh: String, en: String): String = if (language == Language.EN && en.isNotBlank()) en else zh

/** 线上申请: the district's application forms, drawn from their schema. */
@Composable
fun ApplicationFormScreen(state: ApplicationFormState, onEvent: (ApplicationFormEvent) -> Unit) {
    val t = strings
    val form = state.open
    ScreenFrame(form?.let { t.pick(it.titleZh, it.titleEn) } ?: t.applicationsTitle, form?.let { t.pick(it.descriptionZh, it.descriptionEn) } ?: t.applicationsSubtitle) {
        Column(Modifier.verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(8.dp)) {
            if (form == null) FormList(state, onEvent) else OpenFormBody(form, onEvent)
            ErrorNotice(state.error)
        }
    }
}

@Composable
private fun FormList(state: ApplicationFormState, onEvent: (ApplicationFormEvent) -> Unit) {
    val t = strings
    if (state.loading) Loading(t.readingForms)
    if (state.offline) Notice(t.offlineTitle, t.offlineForms, Tone.Warning)
    if (state.forms.isEmpty() && !state.loading) {
        Empty(t.noForms, t.noFormsHint)
        TextButton({ onEvent(ApplicationFormEvent.Load) }) { Text(t.update) }
    }
    state.forms.forEach { f ->
        Card(Modifier.fillMaxWidth().selectable(false, role = Role.Button) { onEvent(ApplicationFormEvent.Open(f.serviceCode)) }) {
            Text(t.pick(f.titleZh, f.titleEn), Modifier.padding(16.dp), style = MaterialTheme.typography.titleMedium)
        }
    }
}

@Composable
private fun OpenFormBody(form: OpenForm, onEvent: (ApplicationFormEvent) -> Unit) {
    val t = strings
    if (form.submittedKey != null) {
        Notice(t.applicationSaved, t.applicationSavedDetail, Tone.Success)
    }
    form.fields.forEach { FormField(it, onEvent) }
    form.assessment?.let { a ->
        val tone = if (a.verdict == Verdict.NOT_ELIGIBLE) Tone.Warning else Tone.Info
        Notice(t.preAssessment(t.assessment(a.verdict)), (a.reasons + t.finalDecision).joinToString("\n"), tone)
        if (a.missingDocuments.isNotEmpty()) Text(t.documentsNeeded, style = MaterialTheme.typography.titleSmall)
        a.missingDocuments.forEach { d ->
            Row(
                Modifier.fillMaxWidth().toggleable(false, role = Role.Checkbox) { onEvent(ApplicationFormEvent.DocumentAtHand(d.kind, it)) },
                verticalAlignment = Alignment.CenterVertically,
            ) {
                Checkbox(false, onCheckedChange = null)
                Text(t.documentAtHand(t.pick(d.nameZh, d.nameEn)), Modifier.padding(start = 8.dp))
            }
        }
    }
    if (form.needProblems.isNotEmpty()) {
        Notice(t.contactMissing, form.needProblems.entries.joinToString("\n") { (k, v) -> "${t.field(k)}: $v" }, Tone.Error)
    }
    if (form.submitting) Loading(t.checkingAndSaving)
    Button({ onEvent(ApplicationFormEvent.Submit) }, Modifier.fillMaxWidth(), enabled = !form.submitting) { Text(t.submitApplication) }
    TextButton({ onEvent(ApplicationFormEvent.Close) }) { Text(t.backToForms) }
}

@Composable
private fun FormField(field: FormFieldState, onEvent: (ApplicationFormEvent) -> Unit) {
    val t = strings
    val label = t.pick(field.spec.labelZh, field.spec.labelEn) + if (field.spec.required) " *" else ""
    Column {
        when (field.widget) {
            FormWidget.INFO -> Text(t.pick(field.spec.helpZh, field.spec.helpEn), style = MaterialTheme.typography.bodySmall)
            FormWidget.SINGLE_SELECT -> {
                Text(label, style = MaterialTheme.typography.titleSmall)
                field.spec.choices.forEach { c ->
                    Row(
                        Modifier.fillMaxWidth().selectable(field.raw == c.key, role = Role.RadioButton) {
                            onEvent(ApplicationFormEvent.Edit(field.code, c.key))
                        },
                        verticalAlignment = Alignment.CenterVertically,
                    ) {
                        RadioButton(selected = field.raw == c.key, onClick = null)
                        Text(t.pick(c.labelZh, c.labelEn), Modifier.padding(start = 8.dp, top = 8.dp, bottom = 8.dp))
                    }
                }
            }
            FormWidget.MULTI_SELECT -> {
                Text(label, style = MaterialTheme.typography.titleSmall)
                field.spec.choices.forEach { c ->
                    val on = c.key in field.selected
                    Row(
                        Modifier.fillMaxWidth().toggleable(on, role = Role.Checkbox) { onEvent(ApplicationFormEvent.Toggle(field.code, c.key)) },
                        verticalAlignment = Alignment.CenterVertically,
                    ) {
                        Checkbox(on, onCheckedChange = null)
                        Text(t.pick(c.labelZh, c.labelEn), Modifier.padding(start = 8.dp, top = 8.dp, bottom = 8.dp))
                    }
                }
            }
            // Text, text area, number and date all take typed text; the core parses and checks it.
            FormWidget.TEXT_INPUT, FormWidget.TEXT_AREA, FormWidget.NUMBER_INPUT, FormWidget.DATE_PICKER ->
                Input(label, field.raw, null, singleLine = field.widget != FormWidget.TEXT_AREA) {
                    onEvent(ApplicationFormEvent.Edit(field.code, it))
                }
        }
        field.problem?.let { Text(it, color = MaterialTheme.colorScheme.error, style = MaterialTheme.typography.bodySmall) }
    }
}
