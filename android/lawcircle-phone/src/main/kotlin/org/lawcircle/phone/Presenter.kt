package org.lawcircle.phone

import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update

/**
 * A screen's state holder: the screen renders [state] and calls the
 * presenter's intents. No Android types, so every presenter is tested on
 * the JVM; the Compose screens in `android/app` only collect [state].
 *
 * Each feature adds one presenter here (find nearest, clock in, new need,
 * my outbox, order offers, rate a service) over the functions the Rust
 * core exports for it.
 */
abstract class Presenter<S>(initial: S) : AutoCloseable {
    private val mutableState = MutableStateFlow(initial)

    /** The current screen state; safe to read from any thread. */
    val state: StateFlow<S> = mutableState.asStateFlow()

    protected fun setState(value: S) {
        mutableState.value = value
    }

    protected fun updateState(transform: (S) -> S) {
        mutableState.update(transform)
    }

    /** Releases listeners and native handles; the screen calls it once. */
    override fun close() {}
}
