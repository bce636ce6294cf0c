package org.lawcircle.phone

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import org.lawcircle.ffi.LawCircleClient
import org.lawcircle.ffi.LawCircleException

/** Where this phone's notifications go when the app is closed. */
data class PushRegistrationState(
    /** The server's VAPID public key: what the UnifiedPush connector registers with. */
    val serverKey: String? = null,
    /** The registered device (to unregister it), once registered. */
    val deviceId: Long? = null,
    /** The endpoint registered. */
    val endpoint: String? = null,
    val busy: Boolean = false,
    val error: UiError? = null,
)

/**
 * UnifiedPush on phones without Google services: after sign-in the app
 * asks its distributor for an endpoint with [serverKey]; the distributor
 * answers with an endpoint (again whenever it changes), which [onNewEndpoint]
 * registers with the keys the connector made for message encryption. On
 * sign-out, or when the user turns push off, [unregister]. A failed
 * registration keeps the previous device.
 */
class PushRegistrationPresenter(
    private val client: LawCircleClient,
    scope: CoroutineScope,
    io: CoroutineDispatcher = Dispatchers.IO,
) : ScopedPresenter<PushRegistrationState>(PushRegistrationState(), scope, io) {
    fun loadServerKey(): Job = call { copy(serverKey = client.pushServerKey()) }

    fun onNewEndpoint(endpoint: String, p256dh: String, auth: String): Job = call {
        val id = client.registerPushEndpoint(endpoint, p256dh, auth)
        copy(deviceId = id, endpoint = endpoint)
    }

    fun unregister(): Job = call {
        deviceId?.let { client.unregisterPushEndpoint(it) }
        copy(deviceId = null, endpoint = null)
    }

    private fun call(change: suspend PushRegistrationState.() -> PushRegistrationState): Job = intent {
        updateState { it.copy(busy = true, error = null) }
        try {
            val next = state.value.change()
            updateState { next.copy(busy = false, error = null) }
        } catch (e: LawCircleException) {
            updateState { it.copy(busy = false, error = e.toUiError()) }
        }
    }
}
