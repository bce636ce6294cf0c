package org.lawcircle.app

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import org.lawcircle.app.duty.DutyFeed
import org.lawcircle.app.duty.DutyFeedListener
import org.lawcircle.app.duty.DutyOrder
import org.lawcircle.app.push.PushEndpoints
import org.lawcircle.app.sync.OutboxSync
import org.lawcircle.app.sync.SyncResult
import org.lawcircle.ffi.LawCircleClient
import org.lawcircle.ffi.LawCircleException
import org.lawcircle.ffi.OrderSummary
import org.lawcircle.ffi.Point
import org.lawcircle.ffi.Datum
import org.lawcircle.phone.OrderOffersPresenter
import org.lawcircle.phone.PushRegistrationPresenter

/** The app's [AppServices] over the core client and the presenters. */
class CoreServices(private val client: LawCircleClient, private val scope: CoroutineScope) : AppServices {
    /** Holds the registered device (to unregister it on sign-out). */
    val pushRegistration = PushRegistrationPresenter(client, scope)

    override val pushEndpoints: PushEndpoints = object : PushEndpoints {
        override fun register(endpoint: String, p256dh: String, auth: String) {
            pushRegistration.onNewEndpoint(endpoint, p256dh, auth)
        }

        override fun unregister() {
            pushRegistration.unregister()
        }
    }

    override val outboxSync = OutboxSync {
        try {
            // No waiting inside the job: the job's own backoff spaces the attempts.
            val report = runBlocking { client.sync(0u) }
            if (report.pending > 0u) SyncResult.RETRY else SyncResult.DONE
        } catch (e: LawCircleException.Network) {
            SyncResult.RETRY
        } catch (e: LawCircleException) {
            // Refused or invalid: the outbox screen shows it; retrying would not help.
            SyncResult.DONE
        }
    }

    override fun dutyFeed(latitude: Double, longitude: Double): DutyFeed = OffersFeed(Point(latitude, longitude, Datum.WGS84))

    /** The order offers presenter's live state, as the duty service takes it. */
    private inner class OffersFeed(private val at: Point) : DutyFeed {
        private val presenter = OrderOffersPresenter(client, at, scope)
        private var collecting: Job? = null

        override fun start(listener: DutyFeedListener) {
            presenter.start()
            collecting = scope.launch {
                var assigned = emptySet<String>()
                presenter.state.collect { s ->
                    listener.onOffers(s.offers.map { it.toDutyOrder() })
                    s.assigned.filter { it.id !in assigned }.forEach { listener.onAssigned(it.toDutyOrder()) }
                    assigned = s.assigned.map { it.id }.toSet()
                }
            }
        }

        override fun close() {
            collecting?.cancel()
            presenter.close()
        }
    }
}

fun OrderSummary.toDutyOrder() = DutyOrder(orderId = id, category = category, urgent = urgent)
