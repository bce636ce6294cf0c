package org.lawcircle.phone

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import org.lawcircle.ffi.LawCircleClient
import org.lawcircle.ffi.LawCircleException
import org.lawcircle.ffi.NeedFormDraft

/**
 * The drafts screen (草稿箱): the need forms kept on the phone, newest
 * first. The form holds personal data: [toString] prints only counts.
 */
data class DraftsState(
    /** Null until first read. */
    val drafts: List<NeedFormDraft>? = null,
    val loading: Boolean = false,
    /** The draft whose discarding waits for the user's "yes" (the screen asks). */
    val confirmingDiscard: String? = null,
    val error: UiError? = null,
) {
    override fun toString(): String =
        "DraftsState(drafts=${drafts?.size}, loading=$loading, confirmingDiscard=$confirmingDiscard, error=$error)"
}

/**
 * Lists the need drafts the library keeps ([LawCircleClient.needDrafts]),
 * discards one after the user confirms, and hands one to the need form
 * to resume ([NewNeedPresenter] with `draft`; the navigation is the
 * app's). Everything is on the phone: it works offline.
 */
class DraftsPresenter(
    private val client: LawCircleClient,
    scope: CoroutineScope,
    io: CoroutineDispatcher = Dispatchers.IO,
) : ScopedPresenter<DraftsState>(DraftsState(), scope, io) {
    fun refresh(): Job = intent {
        updateState { it.copy(loading = true, error = null) }
        try {
            val drafts = client.needDrafts().sortedByDescending { it.updatedAtMs }
            updateState { s ->
                s.copy(
                    loading = false,
                    drafts = drafts,
                    confirmingDiscard = s.confirmingDiscard?.takeIf { id -> drafts.any { it.id == id } },
                )
            }
        } catch (e: LawCircleException) {
            updateState { it.copy(loading = false, error = e.toUiError()) }
        }
    }

    /** Asks first: discarding loses the form and its photos. */
    fun askDiscard(id: String) = updateState { it.copy(confirmingDiscard = id, error = null) }

    fun keep() = updateState { it.copy(confirmingDiscard = null) }

    /** The user said yes: the draft and its files are gone, the list read again. */
    fun confirmDiscard(): Job = intent {
        val id = state.value.confirmingDiscard ?: return@intent
        try {
            client.discardNeedDraft(id)
            updateState { it.copy(confirmingDiscard = null) }
        } catch (e: LawCircleException) {
            updateState { it.copy(confirmingDiscard = null, error = e.toUiError()) }
        }
        refresh().join()
    }

    /** The draft to resume in the need form, read fresh (it may have been submitted meanwhile). */
    suspend fun draftToResume(id: String): NeedFormDraft? = try {
        client.needDraft(id)
    } catch (e: LawCircleException) {
        updateState { it.copy(error = e.toUiError()) }
        null
    }
}
