package org.lawcircle.app.sync

import android.content.Context
import android.net.ConnectivityManager
import android.net.Network
import android.net.NetworkCapabilities
import org.lawcircle.app.systemService

/**
 * Calls [onOnline] when the phone gets a working connection (a default
 * network that is validated: it reaches the internet, not a captive
 * portal), so what waits in the outbox is sent at once instead of when the
 * job scheduler next gets round to it. No polling: the system calls back.
 * [onOnline] runs on the system's connectivity thread; it only schedules.
 */
class NetworkWatch(context: Context, private val onOnline: () -> Unit) : AutoCloseable {
    private val connectivity: ConnectivityManager = context.systemService()
    private var registered = false

    /** Whether the last network seen was validated (a change to true is "back online"). */
    @Volatile
    private var online = false

    private val callback = object : ConnectivityManager.NetworkCallback() {
        override fun onCapabilitiesChanged(network: Network, capabilities: NetworkCapabilities) {
            val now = capabilities.hasCapability(NetworkCapabilities.NET_CAPABILITY_INTERNET) &&
                capabilities.hasCapability(NetworkCapabilities.NET_CAPABILITY_VALIDATED)
            val cameOnline = now && !online
            online = now
            if (cameOnline) onOnline()
        }

        override fun onLost(network: Network) {
            online = false
        }
    }

    /** Starts listening (once). */
    fun start() {
        if (registered) return
        connectivity.registerDefaultNetworkCallback(callback)
        registered = true
    }

    override fun close() {
        if (!registered) return
        connectivity.unregisterNetworkCallback(callback)
        registered = false
    }
}
