package org.lawcircle.app.notify

import org.lawcircle.app.systemService
import android.Manifest
import android.app.Activity
import android.app.Notification
import android.app.NotificationChannel
import android.app.NotificationManager
import android.content.Context
import android.content.pm.PackageManager
import android.os.Build
import org.lawcircle.app.AppIntents
import org.lawcircle.app.push.PushMessage

/** The app's notification channels (the user tunes each in the system settings). */
object Channels {
    /** Offers while on duty and pushed offers: they must be seen within the grab window. */
    const val OFFERS = "offers"

    /** What happened to one's needs and orders, rating requests, notices. */
    const val UPDATES = "updates"

    /** The ongoing "on duty" notification of the foreground service. */
    const val DUTY = "duty"

    /** Creates them (again: the call is idempotent and keeps the user's choices). */
    fun create(context: Context) {
        val manager = context.systemService<NotificationManager>()
        manager.createNotificationChannels(
            listOf(
                NotificationChannel(OFFERS, "接单提醒 Offers", NotificationManager.IMPORTANCE_HIGH).apply {
                    description = "值守时的新咨询单与派单 New consultations and dispatched orders while on duty"
                    lockscreenVisibility = Notification.VISIBILITY_PRIVATE
                },
                NotificationChannel(UPDATES, "办理进度 Updates", NotificationManager.IMPORTANCE_DEFAULT).apply {
                    description = "需求与工单的进展、评价邀请 Progress of needs and orders, rating requests"
                    lockscreenVisibility = Notification.VISIBILITY_PRIVATE
                },
                NotificationChannel(DUTY, "值守状态 On duty", NotificationManager.IMPORTANCE_LOW).apply {
                    description = "值守期间常驻，保持接单连接 Shown while on duty: keeps the offers connection open"
                },
            ),
        )
    }
}

/**
 * Android 13's notification permission, asked when it matters: at
 * clock-in, when the volunteer is about to rely on offers reaching them.
 */
object NotificationPermission {
    const val REQUEST_CODE = 4202

    /** Whether notifications may be posted now (always before Android 13). */
    fun granted(context: Context): Boolean =
        Build.VERSION.SDK_INT < 33 ||
            context.checkSelfPermission(Manifest.permission.POST_NOTIFICATIONS) == PackageManager.PERMISSION_GRANTED

    /** Asks for it if needed; true when it was asked (the answer comes to onRequestPermissionsResult). */
    fun requestIfNeeded(activity: Activity): Boolean {
        if (granted(activity)) return false
        activity.requestPermissions(arrayOf(Manifest.permission.POST_NOTIFICATIONS), REQUEST_CODE)
        return true
    }
}

/**
 * Shows the server's messages as notifications: each message id at most
 * once (it may come by push and again after a retry), a withdrawn offer
 * removed. Only the message's title and body are shown, which the server
 * writes without the need's description or anyone's contact; on the lock
 * screen only that something arrived.
 */
class MessageNotifier(private val context: Context) {
    private val manager = context.systemService<NotificationManager>()
    private val shown = ShownMessages(context)

    /** What [show] did with a message. */
    enum class Outcome { SHOWN, DUPLICATE, WITHDRAWN }

    fun show(message: PushMessage): Outcome {
        if (!shown.firstTime(message.id)) return Outcome.DUPLICATE
        if (message.event == "withdrawn") {
            message.withdraws?.let {
                // Withdrawn before it arrived: it will not show later either.
                shown.firstTime(it)
                manager.cancel(it, MESSAGE)
            }
            message.orderId?.let { manager.cancel(orderTag(it), MESSAGE) }
            return Outcome.WITHDRAWN
        }
        Channels.create(context)
        val offer = message.event == "offer"
        // An offer is one notification per order, whether the duty service or a push tells it.
        val tag = if (offer && message.orderId != null) orderTag(message.orderId) else message.id
        val builder = Notification.Builder(context, if (offer) Channels.OFFERS else Channels.UPDATES)
            .setSmallIcon(android.R.drawable.stat_notify_chat)
            .setContentTitle(message.title)
            .setContentText(message.body)
            .setStyle(Notification.BigTextStyle().bigText(message.body))
            .setWhen(System.currentTimeMillis())
            .setShowWhen(true)
            .setAutoCancel(true)
            .setOnlyAlertOnce(true)
            .setCategory(if (offer) Notification.CATEGORY_EVENT else Notification.CATEGORY_STATUS)
            .setVisibility(Notification.VISIBILITY_PRIVATE)
            .setPublicVersion(publicVersion(context, if (offer) Channels.OFFERS else Channels.UPDATES))
            .setContentIntent(
                AppIntents.pending(context, if (offer) AppIntents.ACTION_GRAB else AppIntents.ACTION_OPEN, message.orderId),
            )
        if (offer && message.orderId != null) {
            builder.addAction(
                Notification.Action.Builder(null, "抢单 Grab", AppIntents.pending(context, AppIntents.ACTION_GRAB, message.orderId)).build(),
            )
        }
        manager.notify(tag, MESSAGE, builder.build())
        return Outcome.SHOWN
    }

    companion object {
        /** The notification id of messages (they differ by tag). */
        const val MESSAGE = 1

        fun orderTag(orderId: String) = "order:$orderId"

        /** What the lock screen shows instead: nothing about whom or what. */
        fun publicVersion(context: Context, channel: String): Notification =
            Notification.Builder(context, channel)
                .setSmallIcon(android.R.drawable.stat_notify_chat)
                .setContentTitle("法律服务圈 LawCircle")
                .setContentText("有新的通知 New notification")
                .build()
    }
}

/**
 * The ids of messages already shown, in app-private preferences (the
 * latest [KEEP]): survives the process, so a push redelivered after a
 * restart is not shown twice.
 */
class ShownMessages(context: Context) {
    private val prefs = context.getSharedPreferences("shown_messages", Context.MODE_PRIVATE)

    /** True the first time [id] is seen; records it. */
    @Synchronized
    fun firstTime(id: String): Boolean {
        val ids = prefs.getString(KEY, "")!!.split('\n').filter { it.isNotEmpty() }
        if (id in ids) return false
        prefs.edit().putString(KEY, (ids + id).takeLast(KEEP).joinToString("\n")).commit()
        return true
    }

    companion object {
        private const val KEY = "ids"
        const val KEEP = 500
    }
}
