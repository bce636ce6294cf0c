package org.lawcircle.app.duty

import org.lawcircle.ffi.NeedCategory
import org.lawcircle.app.systemService
import android.app.Notification
import android.app.NotificationManager
import android.app.Service
import android.content.Context
import android.content.Intent
import android.content.pm.ServiceInfo
import android.os.Build
import android.os.IBinder
import org.lawcircle.app.AppIntents
import org.lawcircle.app.appServices
import org.lawcircle.app.notify.Channels
import org.lawcircle.app.location.LocationPermission
import org.lawcircle.app.notify.MessageNotifier

/** An order as the duty notification shows it: no description, no contact. */
data class DutyOrder(
    val orderId: String,
    /** The need's category (the screen has its words). */
    val category: NeedCategory,
    val urgent: Boolean,
)

/** Told by a [DutyFeed]: the offers now (an empty list clears them) and each order dispatched to the user. */
interface DutyFeedListener {
    fun onOffers(offers: List<DutyOrder>)

    fun onAssigned(order: DutyOrder)
}

/** The live order stream of the volunteer on duty (the app's is the order offers presenter's). */
interface DutyFeed : AutoCloseable {
    fun start(listener: DutyFeedListener)
}

/**
 * While a volunteer is on duty: a foreground service ("on duty") that
 * keeps the live order stream open with the app in the background, and
 * posts a notification for each offer (grab) and each dispatched order
 * (accept, decline), all opening the app on that order. An offer taken by
 * someone else or expired is removed. Started at clock-in, stopped at
 * clock-out ([Duty]).
 * Its types are location (the offers depend on where the volunteer is) and
 * dataSync (the stream), as Android 14 requires them declared.
 */
class DutyService : Service() {
    private var feed: DutyFeed? = null
    private val shownOffers = mutableSetOf<String>()
    private lateinit var manager: NotificationManager

    override fun onCreate() {
        super.onCreate()
        manager = systemService<NotificationManager>()
        Channels.create(this)
    }

    override fun onBind(intent: Intent?): IBinder? = null

    override fun onStartCommand(intent: Intent?, flags: Int, startId: Int): Int {
        val lat = intent?.getDoubleExtra(EXTRA_LATITUDE, Double.NaN) ?: Double.NaN
        val lng = intent?.getDoubleExtra(EXTRA_LONGITUDE, Double.NaN) ?: Double.NaN
        // Promised to the system by startForegroundService: in the foreground first, whatever follows.
        goForeground()
        val services = appServices
        if (feed == null) {
            if (services == null || !lat.isFinite() || !lng.isFinite()) {
                // Nothing to stream (no post position): not "on duty" for show.
                stopForeground(STOP_FOREGROUND_REMOVE)
                stopSelf()
                return START_NOT_STICKY
            }
            feed = services.dutyFeed(lat, lng).also { it.start(Listener()) }
        }
        // Restarted by the system after being killed: the same intent, the same post.
        return START_REDELIVER_INTENT
    }

    private fun goForeground() {
        val notification = Notification.Builder(this, Channels.DUTY)
            .setSmallIcon(android.R.drawable.ic_menu_mylocation)
            .setContentTitle("值守中 On duty")
            .setContentText("新的咨询单会在这里提醒您 New offers are shown here")
            .setOngoing(true)
            .setCategory(Notification.CATEGORY_SERVICE)
            .setContentIntent(AppIntents.pending(this, AppIntents.ACTION_OPEN, null))
            .build()
        if (Build.VERSION.SDK_INT >= 29) {
            startForeground(ONGOING, notification, foregroundTypes(this))
        } else {
            startForeground(ONGOING, notification)
        }
    }

    private inner class Listener : DutyFeedListener {
        override fun onOffers(offers: List<DutyOrder>) {
            synchronized(shownOffers) {
                val now = offers.map { it.orderId }.toSet()
                // Taken by someone else, expired or escalated: no longer offered.
                (shownOffers - now).forEach { manager.cancel(MessageNotifier.orderTag(it), MessageNotifier.MESSAGE) }
                shownOffers.retainAll(now)
                offers.filter { shownOffers.add(it.orderId) }.forEach { post(it, dispatched = false) }
            }
        }

        override fun onAssigned(order: DutyOrder) = post(order, dispatched = true)
    }

    private fun post(order: DutyOrder, dispatched: Boolean) {
        val title = when {
            dispatched -> "新的派单 Order dispatched to you"
            order.urgent -> "紧急咨询单 Urgent consultation"
            else -> "新的咨询单 New consultation"
        }
        val id = order.orderId
        val builder = Notification.Builder(this, Channels.OFFERS)
            .setSmallIcon(android.R.drawable.stat_notify_chat)
            .setContentTitle(title)
            .setContentText(if (dispatched) "请接单或说明原因拒绝 Accept it, or decline with a reason" else "先抢先得 First to grab gets it")
            .setCategory(Notification.CATEGORY_EVENT)
            .setAutoCancel(true)
            .setOnlyAlertOnce(true)
            .setVisibility(Notification.VISIBILITY_PRIVATE)
            .setPublicVersion(MessageNotifier.publicVersion(this, Channels.OFFERS))
            .setContentIntent(AppIntents.pending(this, AppIntents.ACTION_OPEN, id))
            .setExtras(android.os.Bundle().apply { putString(AppIntents.EXTRA_ORDER_ID, id) })
        if (dispatched) {
            builder.addAction(action("接单 Accept", AppIntents.ACTION_ACCEPT, id))
            builder.addAction(action("拒绝 Decline", AppIntents.ACTION_DECLINE, id))
        } else {
            builder.addAction(action("抢单 Grab", AppIntents.ACTION_GRAB, id))
        }
        manager.notify(MessageNotifier.orderTag(id), MessageNotifier.MESSAGE, builder.build())
    }

    private fun action(label: String, action: String, orderId: String) =
        Notification.Action.Builder(null, label, AppIntents.pending(this, action, orderId)).build()

    private fun closeFeed() {
        feed?.close()
        feed = null
        synchronized(shownOffers) {
            shownOffers.forEach { manager.cancel(MessageNotifier.orderTag(it), MessageNotifier.MESSAGE) }
            shownOffers.clear()
        }
    }

    override fun onDestroy() {
        closeFeed()
        super.onDestroy()
    }

    companion object {
        const val ACTION_START = "org.lawcircle.app.duty.START"
        const val EXTRA_LATITUDE = "latitude"
        const val EXTRA_LONGITUDE = "longitude"

        /** The ongoing notification's id. */
        const val ONGOING = 42

        /**
         * Location (offers depend on where the volunteer is) and the order
         * stream; location only with a location permission, which Android 14
         * requires for that type (a volunteer who refused location still
         * gets offers around the post).
         */
        fun foregroundTypes(context: Context): Int =
            ServiceInfo.FOREGROUND_SERVICE_TYPE_DATA_SYNC or
                (if (LocationPermission.access(context) != null) ServiceInfo.FOREGROUND_SERVICE_TYPE_LOCATION else 0)

        /** At clock-in, with the app in front (Android 12 forbids starting it from the background). */
        fun start(context: Context, latitude: Double, longitude: Double) {
            context.startForegroundService(
                Intent(context, DutyService::class.java).setAction(ACTION_START)
                    .putExtra(EXTRA_LATITUDE, latitude).putExtra(EXTRA_LONGITUDE, longitude),
            )
        }

        /** At clock-out: the stream closes, the offers and the ongoing notification go. */
        fun stop(context: Context) {
            context.stopService(Intent(context, DutyService::class.java))
        }
    }
}
