package org.lawcircle.phone

import org.lawcircle.ffi.Connectivity
import org.lawcircle.ffi.ConnectivityListener
import org.lawcircle.ffi.LawCircleClient
import org.lawcircle.ffi.LawCircleException
import org.lawcircle.ffi.ListenerHandle

/** Whether the platform is reachable: the banner every screen shows. */
sealed interface ConnectivityState {
    data object Unknown : ConnectivityState

    data class Online(val catalogueVersion: Long) : ConnectivityState

    data class Offline(val reason: String) : ConnectivityState
}

/**
 * Watches the platform through the core's connectivity listener. The
 * listener runs on a thread of the core's runtime; StateFlow is
 * thread-safe, so the screen just collects [state].
 */
class ConnectivityPresenter(
    private val client: LawCircleClient,
    private val intervalMs: Long = 5_000,
) : Presenter<ConnectivityState>(ConnectivityState.Unknown) {
    private var handle: ListenerHandle? = null

    /** Starts watching; a second call does nothing. */
    @Synchronized
    fun start() {
        if (handle != null) return
        val listener = object : ConnectivityListener {
            override fun onChange(connectivity: Connectivity) {
                setState(connectivity.toState())
            }
        }
        handle = try {
            client.watchConnectivity(listener, intervalMs.toUInt())
        } catch (e: LawCircleException) {
            setState(ConnectivityState.Offline(e.toUiError().message))
            null
        }
    }

    /** Stops watching; no state change arrives after it returns. */
    @Synchronized
    fun stop() {
        handle?.let {
            it.cancel()
            it.close()
        }
        handle = null
    }

    /** Asks the server once, e.g. on pull-to-refresh. */
    suspend fun refresh() {
        setState(
            try {
                ConnectivityState.Online(client.serverHealth().catalogueVersion.toLong())
            } catch (e: LawCircleException) {
                ConnectivityState.Offline(e.toUiError().message)
            },
        )
    }

    override fun close() = stop()
}

private fun Connectivity.toState(): ConnectivityState = when (this) {
    is Connectivity.Online -> ConnectivityState.Online(catalogueVersion.toLong())
    is Connectivity.Offline -> ConnectivityState.Offline(reason)
}
