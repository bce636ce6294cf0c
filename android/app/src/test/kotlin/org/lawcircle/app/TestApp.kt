package org.lawcircle.app

import android.app.Application
import org.lawcircle.app.duty.DutyFeed
import org.lawcircle.app.duty.DutyFeedListener
import org.lawcircle.app.push.PushEndpoints
import org.lawcircle.app.sync.OutboxSync
import org.lawcircle.app.sync.SyncResult

/**
 * The application of the glue tests that need no server: its services
 * record what the glue asked of them, and the duty feed is driven by the
 * test (the real ones over the core are in CoreServicesTest).
 */
class TestApp : Application(), AppServices {
    val registered = mutableListOf<Triple<String, String, String>>()
    var unregistered = 0
    var syncResult = SyncResult.DONE
    val feeds = mutableListOf<Feed>()

    override val pushEndpoints = object : PushEndpoints {
        override fun register(endpoint: String, p256dh: String, auth: String) {
            registered += Triple(endpoint, p256dh, auth)
        }

        override fun unregister() {
            unregistered++
        }
    }

    override val outboxSync = OutboxSync { syncResult }

    override fun dutyFeed(latitude: Double, longitude: Double): DutyFeed = Feed(latitude, longitude).also { feeds += it }

    class Feed(val latitude: Double, val longitude: Double) : DutyFeed {
        var listener: DutyFeedListener? = null
        var closed = false

        override fun start(listener: DutyFeedListener) {
            this.listener = listener
        }

        override fun close() {
            closed = true
        }
    }
}
