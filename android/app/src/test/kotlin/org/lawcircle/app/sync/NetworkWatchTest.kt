package org.lawcircle.app.sync

import android.net.ConnectivityManager
import android.net.NetworkCapabilities
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.lawcircle.app.TestApp
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config
import org.robolectric.shadows.ShadowNetwork
import org.robolectric.shadows.ShadowNetworkCapabilities

/** Back online → one call; a portal that does not validate, or staying online, → none. */
@RunWith(RobolectricTestRunner::class)
@Config(application = TestApp::class)
class NetworkWatchTest {
    private val app get() = RuntimeEnvironment.getApplication()
    private val cm get() = app.getSystemService(ConnectivityManager::class.java)

    private fun capabilities(validated: Boolean): NetworkCapabilities {
        val caps = ShadowNetworkCapabilities.newInstance()
        shadowOf(caps).addCapability(NetworkCapabilities.NET_CAPABILITY_INTERNET)
        if (validated) shadowOf(caps).addCapability(NetworkCapabilities.NET_CAPABILITY_VALIDATED)
        return caps
    }

    @Test
    fun a_validated_network_after_none_calls_once_and_close_stops_listening() {
        var calls = 0
        val watch = NetworkWatch(app) { calls++ }
        watch.start()
        watch.start()
        val callbacks = shadowOf(cm).networkCallbacks
        assertEquals("registered once", 1, callbacks.size)
        val network = ShadowNetwork.newInstance(100)
        // A captive portal: connected, not validated.
        callbacks.forEach { it.onCapabilitiesChanged(network, capabilities(validated = false)) }
        assertEquals(0, calls)
        callbacks.forEach { it.onCapabilitiesChanged(network, capabilities(validated = true)) }
        assertEquals(1, calls)
        // Still online (a capability update, e.g. signal strength): no second sync.
        callbacks.forEach { it.onCapabilitiesChanged(network, capabilities(validated = true)) }
        assertEquals(1, calls)
        // Lost, then back.
        callbacks.forEach { it.onLost(network) }
        callbacks.forEach { it.onCapabilitiesChanged(network, capabilities(validated = true)) }
        assertEquals(2, calls)
        watch.close()
        assertTrue(shadowOf(cm).networkCallbacks.isEmpty())
    }
}
