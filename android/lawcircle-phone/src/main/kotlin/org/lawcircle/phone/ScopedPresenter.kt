package org.lawcircle.phone

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext

/**
 * A presenter whose intents run as coroutines on an injected [scope] (the
 * screen's lifecycle scope in the app, the test's own scope in tests), with
 * the core's blocking calls on [io]. Every intent returns its [Job], so a
 * caller (a test) may wait for it; the screen just collects [state].
 * [close] cancels what is still running.
 */
abstract class ScopedPresenter<S>(
    initial: S,
    scope: CoroutineScope,
    protected val io: CoroutineDispatcher,
) : Presenter<S>(initial) {
    /** A child of [scope]: one failed intent does not cancel the others. */
    protected val scope: CoroutineScope =
        CoroutineScope(scope.coroutineContext + SupervisorJob(scope.coroutineContext[Job]))

    /** Starts an intent. */
    protected fun intent(block: suspend CoroutineScope.() -> Unit): Job = scope.launch(block = block)

    /** A blocking call into the core, off the caller's thread. */
    protected suspend fun <T> blocking(call: () -> T): T = withContext(io) { call() }

    override fun close() {
        scope.cancel()
    }
}
