package org.lawcircle.phone

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import org.lawcircle.ffi.LawCircleClient
import org.lawcircle.ffi.LawCircleException
import org.lawcircle.ffi.OrderDetail
import org.lawcircle.ffi.RequesterContact
import java.io.File

/**
 * The order detail screen (订单详情) of the volunteer or lawyer holding the
 * order: the need (its description is someone's legal trouble), the place,
 * the attachments and, only when asked with a reason, the requester's
 * contact. Every read is audited by the server. The state's [toString]
 * leaves the personal data out.
 */
data class OrderDetailState(
    val orderId: String,
    val loading: Boolean = false,
    val detail: OrderDetail? = null,
    /** Why the holder reads the requester's contact (the audit records it). */
    val contactReason: String = "",
    val readingContact: Boolean = false,
    val contact: RequesterContact? = null,
    /** The attachment being downloaded, by id. */
    val downloading: String? = null,
    /** Downloaded attachments: id → the local file. */
    val downloaded: Map<String, String> = emptyMap(),
    val error: UiError? = null,
) {
    /** The last call found no connection. */
    val offline: Boolean get() = error?.field == null && error?.message?.startsWith("No connection") == true

    override fun toString(): String =
        "OrderDetailState(orderId=$orderId, loading=$loading, detail=${detail?.let { "<redacted>" }}, " +
            "contact=${contact?.let { "<redacted>" }}, downloading=$downloading, error=$error)"
}

/**
 * One order's detail for its holder. Attachments download into
 * [downloadDir] (the app's cache: private, and the system may clear it).
 */
class OrderDetailPresenter(
    private val client: LawCircleClient,
    orderId: String,
    private val downloadDir: File,
    scope: CoroutineScope,
    io: CoroutineDispatcher = Dispatchers.IO,
) : ScopedPresenter<OrderDetailState>(OrderDetailState(orderId), scope, io) {
    /** Reads the order with its need (audited). */
    fun load(): Job = intent {
        if (state.value.loading) return@intent
        updateState { it.copy(loading = true, error = null) }
        try {
            val detail = client.orderDetail(state.value.orderId)
            updateState { it.copy(loading = false, detail = detail) }
        } catch (e: LawCircleException) {
            updateState { it.copy(loading = false, error = e.toUiError()) }
        }
    }

    fun setContactReason(reason: String) = updateState { it.copy(contactReason = reason, error = null) }

    /** The requester's name and phone, read with the reason typed (the core refuses a blank one, naming `reason`). */
    fun readContact(): Job = intent {
        val s = state.value
        if (s.readingContact) return@intent
        updateState { it.copy(readingContact = true, error = null) }
        try {
            val contact = client.requesterContact(s.orderId, s.contactReason)
            updateState { it.copy(readingContact = false, contact = contact) }
        } catch (e: LawCircleException) {
            updateState { it.copy(readingContact = false, error = e.toUiError()) }
        }
    }

    /** Downloads attachment [attachmentId] (streamed, checked against its sha256) into [downloadDir]. */
    fun download(attachmentId: String): Job = intent {
        if (state.value.downloading != null) return@intent
        updateState { it.copy(downloading = attachmentId, error = null) }
        try {
            val dest = File(blocking { downloadDir.apply { mkdirs() } }, "attachment-$attachmentId")
            client.downloadAttachment(state.value.orderId, attachmentId, dest.path)
            updateState { it.copy(downloading = null, downloaded = it.downloaded + (attachmentId to dest.path)) }
        } catch (e: LawCircleException) {
            updateState { it.copy(downloading = null, error = e.toUiError()) }
        }
    }
}
