package org.lawcircle.core

import org.lawcircle.ffi.LawCircleException

/** What a screen shows for a failed call, and which form field to mark. */
data class UiError(val message: String, val field: String? = null)

/** Maps the core's error enum to what a screen shows. */
fun LawCircleException.toUiError(): UiError = when (this) {
    is LawCircleException.InvalidInput -> UiError(reason, field)
    is LawCircleException.Network -> UiError("No connection to the LawCircle platform: $reason")
    is LawCircleException.Server -> UiError("The platform refused ($code): $reason")
    is LawCircleException.Internal -> UiError("Internal error: $reason")
}
