package org.lawcircle.app

import android.app.PendingIntent
import android.content.Context
import android.content.Intent

/**
 * The intents that open the app from a notification: the activity reads
 * the action and the order id and goes to that order (it grabs, accepts or
 * asks for a decline reason there, with the user looking at the screen).
 */
object AppIntents {
    /** The launcher activity (in src/androidx: it needs AndroidX). */
    const val MAIN_ACTIVITY = "org.lawcircle.app.MainActivity"

    const val ACTION_OPEN = "org.lawcircle.app.action.OPEN"
    const val ACTION_GRAB = "org.lawcircle.app.action.GRAB"
    const val ACTION_ACCEPT = "org.lawcircle.app.action.ACCEPT"
    const val ACTION_DECLINE = "org.lawcircle.app.action.DECLINE"
    const val EXTRA_ORDER_ID = "org.lawcircle.app.extra.ORDER_ID"

    fun activity(context: Context, action: String, orderId: String?): Intent =
        Intent(action).setClassName(context.packageName, MAIN_ACTIVITY)
            .apply { if (orderId != null) putExtra(EXTRA_ORDER_ID, orderId) }
            .addFlags(Intent.FLAG_ACTIVITY_NEW_TASK or Intent.FLAG_ACTIVITY_SINGLE_TOP)

    /** A tap target: one per action and order (the request code keeps them apart). */
    fun pending(context: Context, action: String, orderId: String?): PendingIntent =
        PendingIntent.getActivity(
            context,
            (action + (orderId ?: "")).hashCode(),
            activity(context, action, orderId),
            PendingIntent.FLAG_IMMUTABLE or PendingIntent.FLAG_UPDATE_CURRENT,
        )
}
