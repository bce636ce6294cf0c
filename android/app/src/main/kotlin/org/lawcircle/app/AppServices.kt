package org.lawcircle.app

import android.content.Context
import org.lawcircle.app.duty.DutyFeed
import org.lawcircle.app.push.PushEndpoints
import org.lawcircle.app.sync.OutboxSync

/**
 * What the framework glue (the push receiver, the duty service, the sync
 * job) needs from the app: the application class provides it, over the
 * core client and the presenters. The glue finds it through
 * `context.applicationContext`, so a receiver or a service started by the
 * system with the app closed reaches the same client.
 */
interface AppServices {
    /** Registers the UnifiedPush endpoint with the server (and forgets it). */
    val pushEndpoints: PushEndpoints

    /** Delivers the outbox now (the sync job runs it off the main thread). */
    val outboxSync: OutboxSync

    /** The live offers of the volunteer on duty at [latitude], [longitude] (WGS-84). */
    fun dutyFeed(latitude: Double, longitude: Double): DutyFeed
}

/**
 * An application whose [AppServices] exist only while someone is signed
 * in (the app's: the services run on the signed-in user's client).
 */
interface SessionServices {
    /** The signed-in user's services; null while nobody is signed in. */
    val signedIn: AppServices?
}

/**
 * The app's services, or null while nobody is signed in or in a process
 * whose application is not the app's: a push message, the sync job or the
 * duty service then has nothing to act for.
 */
val Context.appServices: AppServices?
    get() = when (val app = applicationContext) {
        is SessionServices -> app.signedIn
        is AppServices -> app
        else -> null
    }

/** A system service every Android phone has (the framework declares the lookup nullable). */
inline fun <reified T : Any> Context.systemService(): T =
    checkNotNull(getSystemService(T::class.java)) { "no ${T::class.java.name} on this device" }
