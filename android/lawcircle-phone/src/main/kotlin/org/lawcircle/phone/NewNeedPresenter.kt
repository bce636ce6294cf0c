package org.lawcircle.phone

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import org.lawcircle.ffi.ApplicationInput
import org.lawcircle.ffi.AttachmentInput
import java.io.File
import org.lawcircle.ffi.LawCircleClient
import org.lawcircle.ffi.LawCircleException
import org.lawcircle.ffi.NeedFormDraft
import org.lawcircle.ffi.NeedCategoryInfo
import org.lawcircle.ffi.NeedForm
import org.lawcircle.ffi.Point
import org.lawcircle.ffi.needCategories
import org.lawcircle.ffi.Channel
import org.lawcircle.ffi.NeedCategory
import org.lawcircle.ffi.Urgency
import org.lawcircle.ffi.Village

/**
 * The need form as typed (需求登记表). Holds personal data (phone, ID
 * number, the trouble itself): [toString] never prints it, so a log line
 * or a crash report cannot leak it.
 */
data class NeedFields(
    val requesterName: String = "",
    val requesterPhone: String = "",
    val requesterIdNumber: String = "",
    val enterpriseName: String = "",
    val enterpriseCreditCode: String = "",
    val category: NeedCategory = NeedCategory.CONSULTATION,
    val description: String = "",
    val urgency: Urgency = Urgency.NORMAL,
    val address: String = "",
    /** The street (9 digits) or village/community (12 digits) code. */
    val areaCode: String = "",
    val point: Point? = null,
    val channel: Channel = Channel.ONLINE,
    /** The duty post where a lawyer or volunteer entered it. */
    val postId: String? = null,
    val consentGiven: Boolean = false,
    val consentNoticeVersion: String = "v1",
) {
    fun toNeedForm(attachments: List<AttachmentInput>, application: ApplicationInput? = null): NeedForm = NeedForm(
        requesterName = requesterName,
        requesterPhone = requesterPhone,
        requesterIdNumber = requesterIdNumber.ifBlank { null },
        enterpriseName = enterpriseName.ifBlank { null },
        enterpriseCreditCode = enterpriseCreditCode.ifBlank { null },
        category = category,
        description = description,
        urgency = urgency,
        address = address,
        areaCode = areaCode,
        point = point,
        channel = channel,
        postId = postId,
        consentGiven = consentGiven,
        consentNoticeVersion = consentNoticeVersion,
        attachments = attachments,
        application = application,
    )

    override fun toString() = "NeedFields(category=$category, urgency=$urgency, channel=$channel, <personal data redacted>)"

    companion object {
        /** The fields of a saved form (a draft resumed); its attachments are the presenter's. */
        fun of(form: NeedForm): NeedFields = NeedFields(
            requesterName = form.requesterName,
            requesterPhone = form.requesterPhone,
            requesterIdNumber = form.requesterIdNumber.orEmpty(),
            enterpriseName = form.enterpriseName.orEmpty(),
            enterpriseCreditCode = form.enterpriseCreditCode.orEmpty(),
            category = form.category,
            description = form.description,
            urgency = form.urgency,
            address = form.address,
            areaCode = form.areaCode,
            point = form.point,
            channel = form.channel,
            postId = form.postId,
            consentGiven = form.consentGiven,
            consentNoticeVersion = form.consentNoticeVersion,
        )
    }
}

/** An attached photo or document, as the form lists it (the file stays where the app wrote it until the library copies it). */
data class AttachmentSummary(val name: String, val sizeBytes: Long)

/** The new-need screen. */
data class NewNeedState(
    val fields: NeedFields = NeedFields(),
    val categories: List<NeedCategoryInfo> = emptyList(),
    val attachments: List<AttachmentSummary> = emptyList(),
    /** Field → problem, named as the core names them (`requester.phone`, `attachments[0]`…). */
    val problems: Map<String, String> = emptyMap(),
    val submitting: Boolean = false,
    /** The outbox key once queued (delivered by the next sync, offline too). */
    val submittedKey: String? = null,
    val error: UiError? = null,
    /** The village/community picked (from the fix or the list); its code is [NeedFields.areaCode]. */
    val village: Village? = null,
    /** The picker's search text and what it found on the phone. */
    val villageSearch: String = "",
    val villageChoices: List<Village> = emptyList(),
    /** The draft this form was resumed from or saved as (草稿); submitting the need discards it. */
    val draftId: String? = null,
    /** The form was just saved as a draft (cleared by the next edit). */
    val draftSaved: Boolean = false,
    val savingDraft: Boolean = false,
) {
    fun problem(field: String): String? = problems[field]
}

/**
 * Files a need (a resident's own, or one a lawyer enters on site): the
 * form is checked field by field with the core's rules (the server runs
 * the same ones) and queued in the outbox with its attachments; nothing is
 * lost offline.
 */
class NewNeedPresenter(
    private val client: LawCircleClient,
    scope: CoroutineScope,
    io: CoroutineDispatcher = Dispatchers.IO,
    initial: NeedFields = NeedFields(),
    /** The form as typed so far survives a rotation here (the ViewModel's `SavedStateHandle`). */
    private val saved: SavedStateStore? = null,
    /** A draft resumed (the drafts screen): its fields and attachments fill the form. */
    draft: NeedFormDraft? = null,
) : ScopedPresenter<NewNeedState>(
    NewNeedState(
        fields = if (draft != null && freshResume(saved, draft)) {
            NeedFields.of(draft.form)
        } else {
            saved?.let { NeedFields.restoredFrom(it, initial) } ?: initial
        },
        categories = needCategories(),
        draftId = if (draft != null && freshResume(saved, draft)) draft.id else saved?.string(DRAFT_KEY),
    ),
    scope,
    io,
) {
    private val attachments = mutableListOf<AttachmentInput>()

    init {
        // A draft resumed now (not the same one brought back after the process died): its fields
        // and attachments (the library's own copies, kept as long as the draft) replace what the
        // saved state held.
        val store = saved
        if (draft != null && freshResume(store, draft)) {
            attachments += draft.form.attachments
            publishAttachments()
            store?.let { state.value.fields.saveTo(it) }
        } else if (store != null) {
            // The files attached before a rotation (the app's copies in its cache), if they are still there.
            val paths = (store["need.attachmentPaths"] as? List<*>)?.filterIsInstance<String>().orEmpty()
            val names = (store["need.attachmentNames"] as? List<*>)?.filterIsInstance<String>().orEmpty()
            paths.forEachIndexed { i, path ->
                if (File(path).isFile) attachments += AttachmentInput(path, names.getOrNull(i)?.ifEmpty { null })
            }
            if (attachments.isNotEmpty()) publishAttachments()
        }
        store?.set(DRAFT_KEY, state.value.draftId)
        // A form restored (after a rotation, or a draft resumed) has the village's code but not its
        // name: found again on the phone's list, so the picker shows the name, not a blank.
        val code = state.value.fields.areaCode
        if (code.length == VILLAGE_CODE_DIGITS) {
            intent {
                val found = try {
                    blocking { client.villages(null, code) }.firstOrNull { it.code == code }
                } catch (_: LawCircleException) {
                    null
                }
                if (found != null) {
                    updateState { if (it.village == null && it.fields.areaCode == code) it.copy(village = found) else it }
                }
            }
        }
    }

    /** Once the user asked for a check, every edit checks again so fixed fields clear. */
    @Volatile
    private var checking = false

    fun edit(change: (NeedFields) -> NeedFields): Job {
        updateState { it.copy(fields = change(it.fields), submittedKey = null, draftSaved = false) }
        saved?.let { state.value.fields.saveTo(it) }
        return if (checking) validate() else Job().apply { complete() }
    }

    /**
     * Attaches the file at [path] (e.g. the downscaled JPEG `Photos.downscale` wrote): the library
     * checks it once (missing, unreadable or not a JPEG/PNG/WebP/HEIC/PDF is `attachments[i]`) and
     * keeps its own copy when the need is queued, so the app may delete the file afterwards.
     */
    fun addAttachment(path: String, displayName: String? = null): Job {
        synchronized(attachments) { attachments += AttachmentInput(path, displayName) }
        publishAttachments()
        return if (checking) validate() else Job().apply { complete() }
    }

    fun removeAttachment(index: Int): Job {
        synchronized(attachments) { if (index in attachments.indices) attachments.removeAt(index) }
        publishAttachments()
        return if (checking) validate() else Job().apply { complete() }
    }

    /** Searches the villages and communities kept on the phone (by name or code; all when blank). */
    fun searchVillages(text: String): Job = intent {
        // Searching again is changing the village: the one picked is put back (its code stays until another is picked).
        updateState { it.copy(villageSearch = text, village = null) }
        try {
            val found = blocking { client.villages(null, text.trim().ifEmpty { null }) }
            updateState { if (it.villageSearch == text) it.copy(villageChoices = found.take(MAX_VILLAGE_CHOICES)) else it }
        } catch (e: LawCircleException) {
            updateState { it.copy(error = e.toUiError()) }
        }
    }

    /** The village picked from the list: its code goes in the form. */
    fun pickVillage(village: Village): Job {
        updateState { it.copy(village = village, villageChoices = emptyList(), villageSearch = "") }
        return edit { it.copy(areaCode = village.code) }
    }

    /** The village at the phone's fix (offline); none known there leaves the list to pick from. */
    fun villageFromFix(point: Point): Job = intent {
        try {
            val found = blocking { client.villageAt(point) }
            if (found != null) pickVillage(found).join() else searchVillages("").join()
        } catch (e: LawCircleException) {
            updateState { it.copy(error = e.toUiError()) }
        }
    }

    /** Checks every field (offline) and shows the problems. */
    fun validate(): Job = intent {
        checking = true
        val form = currentForm()
        try {
            val problems = blocking { client.validateNeed(form) }.byField()
            updateState { it.copy(problems = problems, error = null) }
        } catch (e: LawCircleException) {
            updateState { it.copy(error = e.toUiError()) }
        }
    }

    /** Checks, then queues the need in the outbox. A form with problems is not queued. */
    fun submit(): Job = intent {
        if (state.value.submitting) return@intent
        checking = true
        updateState { it.copy(submitting = true, error = null) }
        val form = currentForm()
        try {
            val problems = blocking { client.validateNeed(form) }.byField()
            if (problems.isNotEmpty()) {
                updateState { it.copy(submitting = false, problems = problems) }
                return@intent
            }
            val key = client.submitNeed(form)
            // Queued: the draft it came from is done with (the outbox holds its own copies of the files).
            state.value.draftId?.let { id ->
                try {
                    client.discardNeedDraft(id)
                } catch (_: LawCircleException) {
                    // Left in the drafts list, where the user can discard it; the need is queued either way.
                }
            }
            synchronized(attachments) { attachments.clear() }
            saveAttachments()
            saved?.set(DRAFT_KEY, null)
            checking = false
            updateState {
                it.copy(submitting = false, submittedKey = key, problems = emptyMap(), attachments = emptyList(), draftId = null)
            }
        } catch (e: LawCircleException.InvalidInput) {
            updateState { it.copy(submitting = false, problems = it.problems + (e.field to e.reason), error = e.toUiError()) }
        } catch (e: LawCircleException) {
            updateState { it.copy(submitting = false, error = e.toUiError()) }
        }
    }

    /**
     * Keeps the form as a draft in the library's database (unchecked: a
     * half-typed form is fine), to finish later from the drafts screen.
     * Saving again updates the same draft. A file that cannot be attached
     * is a problem under `attachments[i]` and nothing is saved.
     */
    fun saveDraft(): Job = intent {
        if (state.value.savingDraft) return@intent
        updateState { it.copy(savingDraft = true, error = null) }
        try {
            val id = client.saveNeedDraft(state.value.draftId, currentForm())
            saved?.set(DRAFT_KEY, id)
            updateState { it.copy(savingDraft = false, draftId = id, draftSaved = true) }
        } catch (e: LawCircleException.InvalidInput) {
            updateState { it.copy(savingDraft = false, problems = it.problems + (e.field to e.reason), error = e.toUiError()) }
        } catch (e: LawCircleException) {
            updateState { it.copy(savingDraft = false, error = e.toUiError()) }
        }
    }

    /** A blank form for the next need (keeps who is entering and where). */
    fun reset(keep: (NeedFields) -> NeedFields = { NeedFields(channel = it.channel, postId = it.postId) }) {
        synchronized(attachments) { attachments.clear() }
        saveAttachments()
        checking = false
        updateState { NewNeedState(fields = keep(it.fields), categories = it.categories) }
        saved?.let { state.value.fields.saveTo(it) }
    }

    private companion object {
        /** A picker shows this many at once; typing narrows it. */
        const val MAX_VILLAGE_CHOICES = 30

        /** A village or community code (a street code has 9 digits). */
        const val VILLAGE_CODE_DIGITS = 12

        /** The saved state's key of the draft being edited. */
        const val DRAFT_KEY = "need.draftId"

        /** [draft] is being opened now, not brought back with the saved state after the process died. */
        fun freshResume(saved: SavedStateStore?, draft: NeedFormDraft): Boolean = saved?.string(DRAFT_KEY) != draft.id
    }

    private fun currentForm(): NeedForm = state.value.fields.toNeedForm(synchronized(attachments) { attachments.toList() })

    private fun publishAttachments() {
        val list = synchronized(attachments) {
            attachments.map { val f = File(it.path); AttachmentSummary(it.displayName ?: f.name, f.length()) }
        }
        updateState { it.copy(attachments = list) }
        saveAttachments()
    }

    private fun saveAttachments() {
        saved?.let { store ->
            val inputs = synchronized(attachments) { attachments.toList() }
            // ArrayList<String>: what a Bundle keeps.
            store["need.attachmentPaths"] = ArrayList(inputs.map { it.path })
            store["need.attachmentNames"] = ArrayList(inputs.map { it.displayName ?: "" })
        }
    }
}
