package org.lawcircle.phone

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import org.lawcircle.ffi.AnswerInput
import org.lawcircle.ffi.ApplicationDocument
import org.lawcircle.ffi.ApplicationInput
import org.lawcircle.ffi.AttachmentInput
import org.lawcircle.ffi.DocumentKind
import org.lawcircle.ffi.FormAnswer
import org.lawcircle.ffi.FormFieldSpec
import org.lawcircle.ffi.FormWidget
import org.lawcircle.ffi.LawCircleClient
import org.lawcircle.ffi.LawCircleException
import org.lawcircle.ffi.LegalAidAssessment
import org.lawcircle.ffi.NeedCategory
import org.lawcircle.ffi.ServiceForm
import org.lawcircle.ffi.legalAidServiceCode

/** The service code of legal aid (法律援助), whose form gets the pre-assessment. */
val LEGAL_AID: String = legalAidServiceCode()

/** One application type in the list. */
data class FormSummary(val serviceCode: String, val version: UInt, val titleZh: String, val titleEn: String)

/**
 * One field to draw: its spec (label, help, choices, bounds), the widget
 * the schema asks for, what the user typed and the core's verdict on it.
 * [toString] leaves the answer out (it may be personal data).
 */
data class FormFieldState(
    val spec: FormFieldSpec,
    /** As typed (a single select: the chosen key). */
    val raw: String = "",
    /** A multi-select's chosen keys, in the order the schema lists them. */
    val choices: List<String> = emptyList(),
    val problem: String? = null,
) {
    val code: String get() = spec.code
    val widget: FormWidget get() = spec.widget

    /** The keys chosen in a select. */
    val selected: Set<String>
        get() = if (widget == FormWidget.MULTI_SELECT) choices.toSet() else setOfNotNull(raw.trim().ifEmpty { null })

    /** Nothing entered yet. */
    val isBlank: Boolean get() = if (widget == FormWidget.MULTI_SELECT) choices.isEmpty() else raw.isBlank()

    /** The answer as the library takes it. */
    val input: AnswerInput
        get() = if (widget == FormWidget.MULTI_SELECT) AnswerInput.Choices(choices) else AnswerInput.Text(raw)

    override fun toString() = "FormFieldState(code=$code, widget=$widget, filled=${!isBlank}, problem=$problem)"
}

/** An application form being filled in. */
data class OpenForm(
    val serviceCode: String,
    val version: UInt,
    /** The need category the application is filed under (from the core). */
    val needCategory: NeedCategory,
    /** The legal-aid application: shows the pre-assessment and the checklist. */
    val isLegalAid: Boolean,
    val titleZh: String,
    val titleEn: String,
    val descriptionZh: String,
    val descriptionEn: String,
    val fields: List<FormFieldState>,
    /** For legal aid: the pre-assessment of the answers so far (the institution decides). */
    val assessment: LegalAidAssessment? = null,
    /** Documents the applicant has at hand without attaching them. */
    val providedDocuments: Set<DocumentKind> = emptySet(),
    /** Documents attached (photos or PDFs), each with its checklist code; the bytes stay in the presenter. */
    val documents: List<DocumentAttachment> = emptyList(),
    /** Problems of the contact part (the need around the application), by field. */
    val needProblems: Map<String, String> = emptyMap(),
    val submitting: Boolean = false,
    /** The outbox key once filed. */
    val submittedKey: String? = null,
) {
    fun field(code: String): FormFieldState? = fields.firstOrNull { it.code == code }
}

/** An attached document: its checklist code (`id_card`, `hardship_statement`…) and size. */
data class DocumentAttachment(val kind: DocumentKind, val name: String, val sizeBytes: Long)

/** The online-application screen (线上申请). */
data class ApplicationFormState(
    val loading: Boolean = false,
    /** The forms could not be fetched: the phone's copy is listed. */
    val offline: Boolean = false,
    val forms: List<FormSummary> = emptyList(),
    val open: OpenForm? = null,
    val error: UiError? = null,
)

/**
 * The generic form renderer: every application type is data
 * (a versioned service definition the district publishes), drawn one
 * widget per field and checked with the core's rules as each answer is
 * edited, so a new type needs no app release. Filed as a need carrying
 * the answers ([NeedFields] gives the contact part).
 */
class ApplicationFormPresenter(
    private val client: LawCircleClient,
    scope: CoroutineScope,
    io: CoroutineDispatcher = Dispatchers.IO,
) : ScopedPresenter<ApplicationFormState>(ApplicationFormState(), scope, io) {
    /** The attached documents' bytes, in the order of [OpenForm.documents]. */
    private val files = mutableListOf<AttachmentInput>()
    /** Fetches the district's forms (online) and lists those on the phone. */
    fun load(): Job = intent {
        updateState { it.copy(loading = true, error = null) }
        var offline = false
        var error: UiError? = null
        try {
            client.refreshServiceForms()
        } catch (e: LawCircleException.Network) {
            offline = true
        } catch (e: LawCircleException) {
            error = e.toUiError()
        }
        try {
            val forms = blocking { client.serviceForms() }.map { it.summary() }
            updateState { it.copy(loading = false, offline = offline, forms = forms, error = error) }
        } catch (e: LawCircleException) {
            updateState { it.copy(loading = false, offline = offline, error = e.toUiError()) }
        }
    }

    /** Opens the newest version of a form, blank. */
    fun open(serviceCode: String): Job = intent {
        try {
            val form = blocking { client.serviceForm(serviceCode) }
            synchronized(files) { files.clear() }
            updateState { it.copy(open = form.toOpenForm(), error = null) }
            assess()
        } catch (e: LawCircleException) {
            updateState { it.copy(error = e.toUiError()) }
        }
    }

    fun closeForm() {
        synchronized(files) { files.clear() }
        updateState { it.copy(open = null) }
    }

    /** The user edited one answer: it is checked at once, with the core's rules. */
    fun edit(field: String, raw: String): Job = change(field) { it.copy(raw = raw) }

    private fun change(field: String, edit: (FormFieldState) -> FormFieldState): Job {
        updateState { s -> s.withOpen { f -> f.withField(field, edit).copy(submittedKey = null) } }
        return intent {
            val form = state.value.open ?: return@intent
            val input = form.field(field)?.input ?: return@intent
            try {
                val problem = blocking {
                    client.checkFormAnswer(form.serviceCode, form.version, FormAnswer(field, input))
                }
                updateState { s ->
                    s.withOpen { f ->
                        // A later edit of the same field wins.
                        f.withField(field) { if (it.input == input) it.copy(problem = problem?.reason) else it }
                    }
                }
            } catch (e: LawCircleException) {
                updateState { it.copy(error = e.toUiError()) }
            }
            assess()
        }
    }

    /** Ticks or unticks a choice of a multi-select. */
    fun toggleChoice(field: String, key: String): Job {
        val current = state.value.open?.field(field)?.selected ?: return Job().apply { complete() }
        val next = if (key in current) current - key else current + key
        val spec = state.value.open?.field(field)?.spec
        // Kept in the order the schema lists the choices.
        val ordered = spec?.choices?.map { it.key }?.filter { it in next } ?: next.toList()
        return change(field) { it.copy(choices = ordered) }
    }

    /** The applicant has (or no longer has) a document at hand. */
    fun setDocumentProvided(code: DocumentKind, provided: Boolean): Job {
        updateState { s ->
            s.withOpen { f ->
                f.copy(providedDocuments = if (provided) f.providedDocuments + code else f.providedDocuments - code)
            }
        }
        return intent { assess() }
    }

    /** Attaches a document (a photo or PDF) as the checklist's [kind]; the legal-aid checklist counts it. */
    fun attachDocument(kind: DocumentKind, path: String, displayName: String? = null): Job {
        if (state.value.open == null) return Job().apply { complete() }
        synchronized(files) { files += AttachmentInput(path, displayName) }
        val file = java.io.File(path)
        updateState { s ->
            s.withOpen { it.copy(documents = it.documents + DocumentAttachment(kind, displayName ?: file.name, file.length())) }
        }
        return intent { assess() }
    }

    fun removeDocument(index: Int): Job {
        synchronized(files) { if (index in files.indices) files.removeAt(index) }
        updateState { s ->
            s.withOpen { f -> f.copy(documents = f.documents.filterIndexed { i, _ -> i != index }) }
        }
        return intent { assess() }
    }

    /**
     * Checks the whole form, then files it as a need whose contact part is
     * [contact] (name, phone, area, consent…). Nothing is filed while a
     * field has a problem.
     */
    fun submit(contact: NeedFields): Job = intent {
        val form = state.value.open ?: return@intent
        if (form.submitting) return@intent
        updateState { s -> s.withOpen { it.copy(submitting = true, needProblems = emptyMap()) } }
        val answers = form.answers()
        try {
            val problems = blocking { client.validateApplication(form.serviceCode, form.version, answers) }.byField()
            if (problems.isNotEmpty()) {
                updateState { s ->
                    s.withOpen { f ->
                        f.copy(submitting = false, fields = f.fields.map { it.copy(problem = problems[it.code]) })
                    }
                }
                return@intent
            }
            val attachments = synchronized(files) { files.toList() }
            val documents = form.documents.mapIndexed { i, d -> ApplicationDocument(i.toUInt(), d.kind) }
            val need = contact.copy(category = form.needCategory)
                .toNeedForm(attachments, ApplicationInput(form.serviceCode, form.version, answers, documents))
            val needProblems = blocking { client.validateNeed(need) }.byField()
            if (needProblems.isNotEmpty()) {
                updateState { s -> s.withOpen { it.copy(submitting = false, needProblems = needProblems) } }
                return@intent
            }
            val key = client.submitNeed(need)
            synchronized(files) { files.clear() }
            // Filed: the answers (personal data) are not kept on the screen.
            updateState { s ->
                s.withOpen { f ->
                    f.copy(
                        submitting = false,
                        submittedKey = key,
                        fields = f.fields.map { FormFieldState(it.spec) },
                        documents = emptyList(),
                        providedDocuments = emptySet(),
                        assessment = null,
                    )
                }
            }
        } catch (e: LawCircleException) {
            updateState { s -> s.withOpen { it.copy(submitting = false) }.copy(error = e.toUiError()) }
        }
    }

    /** Legal aid only: the pre-assessment and the documents still missing. */
    private suspend fun assess() {
        val form = state.value.open ?: return
        if (!form.isLegalAid) return
        try {
            val assessment = blocking {
                val provided = form.providedDocuments + form.documents.map { it.kind }
                client.legalAidAssessment(form.version, form.answers(), provided.sortedBy { it.ordinal })
            }
            updateState { s -> s.withOpen { if (it.version == form.version) it.copy(assessment = assessment) else it } }
        } catch (e: LawCircleException) {
            updateState { it.copy(error = e.toUiError()) }
        }
    }
}

private fun ServiceForm.summary() = FormSummary(serviceCode, version, titleZh, titleEn)

private fun ServiceForm.toOpenForm() = OpenForm(
    serviceCode = serviceCode,
    version = version,
    needCategory = needCategory,
    isLegalAid = isLegalAid,
    titleZh = titleZh,
    titleEn = titleEn,
    descriptionZh = descriptionZh,
    descriptionEn = descriptionEn,
    fields = fields.map { FormFieldState(it) },
)

/** The answers given so far (read-only fields and blanks left out). */
private fun OpenForm.answers(): List<FormAnswer> =
    fields.filter { it.widget != FormWidget.INFO && !it.isBlank }.map { FormAnswer(it.code, it.input) }

private fun OpenForm.withField(code: String, change: (FormFieldState) -> FormFieldState) =
    copy(fields = fields.map { if (it.code == code) change(it) else it })

private fun ApplicationFormState.withOpen(change: (OpenForm) -> OpenForm) = copy(open = open?.let(change))
