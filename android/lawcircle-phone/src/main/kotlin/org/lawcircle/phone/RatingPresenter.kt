package org.lawcircle.phone

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import org.lawcircle.ffi.LawCircleClient
import org.lawcircle.ffi.LawCircleException
import org.lawcircle.ffi.OrderSummary

/** What the screen says when the order was rated already. */
const val ALREADY_RATED = "已评价 This service was rated already"

/** The rating screen (评价). */
data class RatingState(
    val orderId: String,
    /** 1 to 5 stars; null until picked. */
    val score: Int? = null,
    val comment: String = "",
    val submitting: Boolean = false,
    /** The order once rated (its state becomes `evaluated`): rated once, never again. */
    val rated: OrderSummary? = null,
    val error: UiError? = null,
)

/**
 * The requester rates a resolved service, once. The score's bounds are
 * the core's rule (it refuses anything but 1 to 5, naming `score`).
 */
class RatingPresenter(
    private val client: LawCircleClient,
    orderId: String,
    scope: CoroutineScope,
    io: CoroutineDispatcher = Dispatchers.IO,
    /** The stars and comment so far survive a rotation here (the ViewModel's `SavedStateHandle`), for this order only. */
    private val saved: SavedStateStore? = null,
) : ScopedPresenter<RatingState>(
    RatingState(
        orderId,
        score = saved?.takeIf { it.string("rating.orderId") == orderId }?.int("rating.score"),
        comment = saved?.takeIf { it.string("rating.orderId") == orderId }?.string("rating.comment") ?: "",
    ),
    scope,
    io,
) {
    fun setScore(score: Int) {
        updateState { it.copy(score = score, error = null) }
        save()
    }

    fun setComment(comment: String) {
        updateState { it.copy(comment = comment) }
        save()
    }

    private fun save() {
        val store = saved ?: return
        val s = state.value
        store["rating.orderId"] = s.orderId
        store["rating.score"] = s.score
        store["rating.comment"] = s.comment
    }

    /** Sends the rating; does nothing while one is in flight or once it was accepted. */
    fun submit(): Job = intent {
        val s = state.value
        if (s.submitting || s.rated != null) return@intent
        updateState { it.copy(submitting = true, error = null) }
        try {
            // Out-of-range scores go to the core as 0, which it refuses.
            val score = (s.score ?: 0).takeIf { it in 0..255 } ?: 0
            val rated = client.rateOrder(s.orderId, score.toUByte(), s.comment.ifBlank { null })
            updateState { it.copy(submitting = false, rated = rated) }
        } catch (e: LawCircleException) {
            val error = if (e.isConflict) UiError(ALREADY_RATED) else e.toUiError()
            updateState { it.copy(submitting = false, error = error) }
        }
    }
}
