package org.lawcircle.phone

import org.lawcircle.ffi.FieldProblem
import org.lawcircle.ffi.LawCircleException

/** What a screen shows for a failed call, and which form field to mark. */
data class UiError(val message: String, val field: String? = null)

/** Maps the core's error enum to what a screen shows. */
fun LawCircleException.toUiError(): UiError = when (this) {
    is LawCircleException.InvalidInput -> UiError(reason, field)
    is LawCircleException.Network -> UiError("No connection to the LawCircle platform: $reason")
    is LawCircleException.Server -> UiError("The platform refused ($code): $reason")
    is LawCircleException.Conflict -> UiError("Someone else was first, or it changed meanwhile: $reason")
    is LawCircleException.Unauthenticated -> UiError("Please sign in again: $reason")
    is LawCircleException.Cancelled -> UiError("Cancelled")
    is LawCircleException.Internal -> UiError("Internal error: $reason")
}

/** Someone else was first or the record changed meanwhile (the library's `Conflict`). */
val LawCircleException.isConflict: Boolean
    get() = this is LawCircleException.Conflict

/**
 * A form's problems by field, as the core names the fields (e.g.
 * `requester.phone`); the first problem of a field is the one shown.
 */
fun List<FieldProblem>.byField(): Map<String, String> {
    val out = LinkedHashMap<String, String>()
    for (p in this) out.putIfAbsent(p.field, p.reason)
    return out
}
