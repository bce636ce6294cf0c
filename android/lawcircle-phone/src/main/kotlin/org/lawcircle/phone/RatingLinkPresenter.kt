package org.lawcircle.phone

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import org.lawcircle.ffi.LawCircleClient
import org.lawcircle.ffi.LawCircleException
import org.lawcircle.ffi.RatingLink

/** The end-of-service screen (服务评价二维码) of a resolved order. */
data class RatingLinkState(
    val orderId: String,
    /** The one-time link: the screen draws its QR code and shows it as text. */
    val link: RatingLink? = null,
    val loading: Boolean = false,
    val error: UiError? = null,
) {
    /**
     * Modules per side of the link's QR code (0 without a link). The screen
     * draws [qrSize]×[qrSize] squares, [isDark] ones black, with four light
     * modules of margin around them.
     */
    val qrSize: Int get() = link?.qr?.size?.toInt() ?: 0

    /** Whether the module at [row], [col] (from the top left) is dark. */
    fun isDark(row: Int, col: Int): Boolean {
        val n = qrSize
        if (row !in 0 until n || col !in 0 until n) return false
        return link?.qr?.modules?.getOrNull(row * n + col) == '1'
    }
}

/**
 * The volunteer or lawyer holding a resolved order shows its rating link
 * to a requester without an account, who scans it and rates the service
 * on the public page. Each [load] makes a new link; any of them rates the
 * order once.
 */
class RatingLinkPresenter(
    private val client: LawCircleClient,
    orderId: String,
    scope: CoroutineScope,
    io: CoroutineDispatcher = Dispatchers.IO,
) : ScopedPresenter<RatingLinkState>(RatingLinkState(orderId), scope, io) {
    fun load(): Job = intent {
        val id = state.value.orderId
        updateState { it.copy(loading = true, error = null) }
        try {
            val link = client.ratingLink(id)
            updateState { it.copy(loading = false, link = link) }
        } catch (e: LawCircleException) {
            updateState { it.copy(loading = false, error = e.toUiError()) }
        }
    }
}
