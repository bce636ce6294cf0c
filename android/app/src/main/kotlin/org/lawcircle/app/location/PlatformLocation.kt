package org.lawcircle.app.location

import org.lawcircle.app.systemService
import android.Manifest
import android.annotation.SuppressLint
import android.app.Activity
import android.content.Context
import android.content.Intent
import android.content.pm.PackageManager
import android.location.Location
import android.location.LocationListener
import android.location.LocationManager
import android.net.Uri
import android.os.Build
import android.os.Bundle
import android.os.Looper
import android.os.SystemClock
import android.provider.Settings
import org.lawcircle.phone.DeviceClock
import org.lawcircle.phone.LocationFix
import org.lawcircle.phone.deviceTime

/**
 * Fixes from the framework's `LocationManager`, GPS and network providers:
 * works on phones without Google Play services (most phones sold in
 * mainland China). Each fix goes on as a [LocationFix], untouched except
 * for shape (WGS-84, accuracy, provider, the mock flag, both clocks); the
 * core decides what a fix is worth. A fix replaces the previous one only
 * when it is no worse ([isBetter]): a coarse network fix does not undo a
 * fresh GPS fix.
 */
class PlatformLocation(
    context: Context,
    private val onFix: (LocationFix) -> Unit,
    private val intervalMs: Long = 5_000,
) {
    private val appContext = context.applicationContext
    private val manager = context.systemService<LocationManager>()
    private var best: Location? = null
    private var started = false

    // Every method implemented: before Android 11 they have no default body.
    private val listener = object : LocationListener {
        override fun onLocationChanged(location: Location) = offer(location)

        override fun onProviderEnabled(provider: String) = Unit

        override fun onProviderDisabled(provider: String) = Unit

        @Suppress("OVERRIDE_DEPRECATION")
        override fun onStatusChanged(provider: String?, status: Int, extras: Bundle?) = Unit
    }

    /** The providers this phone has, GPS first. */
    val providers: List<String>
        get() = listOf(LocationManager.GPS_PROVIDER, LocationManager.NETWORK_PROVIDER).filter { it in manager.allProviders }

    /**
     * Starts the updates when the user granted a location permission
     * (with only "approximate", the network provider alone); false when
     * there is no permission or no enabled provider (the screen says so).
     */
    @SuppressLint("MissingPermission")
    fun start(): Boolean {
        val access = LocationPermission.access(appContext) ?: return false
        val usable = providers.filter {
            manager.isProviderEnabled(it) && (access == LocationAccess.PRECISE || it == LocationManager.NETWORK_PROVIDER)
        }
        if (usable.isEmpty()) return false
        usable.forEach { provider ->
            manager.getLastKnownLocation(provider)?.let { last ->
                // A recent last fix answers at once; the core rates its age.
                if (ageNanos(last) < LAST_KNOWN_MAX_AGE_NANOS) offer(last)
            }
            manager.requestLocationUpdates(provider, intervalMs, 0f, listener, Looper.getMainLooper())
        }
        started = true
        return true
    }

    fun stop() {
        if (started) manager.removeUpdates(listener)
        started = false
    }

    private fun offer(location: Location) {
        val keep = synchronized(this) {
            if (isBetter(location, best)) {
                best = location
                true
            } else {
                false
            }
        }
        if (keep) onFix(location.toLocationFix())
    }

    companion object {
        /** A last known fix older than this is not offered (the updates follow). */
        const val LAST_KNOWN_MAX_AGE_NANOS = 2 * 60 * 1_000_000_000L

        /** A fix this much newer replaces the current one whatever its accuracy. */
        const val NEWER_NANOS = 30 * 1_000_000_000L

        fun ageNanos(location: Location): Long = SystemClock.elapsedRealtimeNanos() - location.elapsedRealtimeNanos

        /**
         * Whether [candidate] should replace [current]: much newer, or
         * newer from the same provider, or more accurate.
         */
        fun isBetter(candidate: Location, current: Location?): Boolean {
            if (current == null) return true
            val newer = candidate.elapsedRealtimeNanos - current.elapsedRealtimeNanos
            if (newer > NEWER_NANOS) return true
            if (newer < -NEWER_NANOS) return false
            if (!candidate.hasAccuracy()) return false
            if (!current.hasAccuracy() || candidate.accuracy <= current.accuracy) return true
            return newer > 0 && candidate.provider == current.provider
        }
    }
}

/** The device's two clocks read together, when the volunteer taps. */
val systemDeviceClock = DeviceClock { deviceTime(System.currentTimeMillis(), SystemClock.elapsedRealtimeNanos()) }

fun Location.toLocationFix() = LocationFix(
    latitude = latitude,
    longitude = longitude,
    accuracyM = if (hasAccuracy()) accuracy else null,
    provider = provider,
    // isMock() from API 31; isFromMockProvider() before (deprecated there).
    isMock = if (Build.VERSION.SDK_INT >= 31) isMock else @Suppress("DEPRECATION") isFromMockProvider,
    timeMillis = time,
    elapsedRealtimeNanos = elapsedRealtimeNanos,
    speedMps = if (hasSpeed()) speed else null,
)

/** What the user allowed. */
enum class LocationAccess {
    /** "Precise": GPS. */
    PRECISE,

    /** "Approximate" only (Android 12's choice): the network provider, a fix of a few hundred metres. */
    APPROXIMATE,

    /** Refused this time: the app may explain and ask again. */
    DENIED,

    /** "Don't ask again" (or refused twice): only the system settings can change it. */
    DENIED_FOR_GOOD,
}

/**
 * The runtime location permission flow: ask for precise and approximate
 * together (Android 12 lets the user pick "approximate only"), read the
 * answer, and tell a refusal the app may ask about again from one that only
 * the settings can undo. Android tells them apart by the rationale flag,
 * which is also false before the first question, so the question asked is
 * remembered.
 */
object LocationPermission {
    const val REQUEST_CODE = 4203
    val PERMISSIONS = arrayOf(Manifest.permission.ACCESS_FINE_LOCATION, Manifest.permission.ACCESS_COARSE_LOCATION)

    /** What is granted now; null for nothing. */
    fun access(context: Context): LocationAccess? = when {
        granted(context, Manifest.permission.ACCESS_FINE_LOCATION) -> LocationAccess.PRECISE
        granted(context, Manifest.permission.ACCESS_COARSE_LOCATION) -> LocationAccess.APPROXIMATE
        else -> null
    }

    /** Asks (the answer comes to the activity's onRequestPermissionsResult, then [afterAnswer]). */
    fun request(activity: Activity) {
        activity.getSharedPreferences(PREFS, Context.MODE_PRIVATE).edit().putBoolean(ASKED, true).apply()
        activity.requestPermissions(PERMISSIONS, REQUEST_CODE)
    }

    /** Where the user stands: granted, or which kind of refusal. */
    fun afterAnswer(activity: Activity): LocationAccess {
        access(activity)?.let { return it }
        val asked = activity.getSharedPreferences(PREFS, Context.MODE_PRIVATE).getBoolean(ASKED, false)
        return when {
            activity.shouldShowRequestPermissionRationale(Manifest.permission.ACCESS_FINE_LOCATION) -> LocationAccess.DENIED
            asked -> LocationAccess.DENIED_FOR_GOOD
            else -> LocationAccess.DENIED
        }
    }

    /** The app's page in the system settings: the way back from "don't ask again". */
    fun settingsIntent(context: Context): Intent =
        Intent(Settings.ACTION_APPLICATION_DETAILS_SETTINGS, Uri.fromParts("package", context.packageName, null))
            .addFlags(Intent.FLAG_ACTIVITY_NEW_TASK)

    private fun granted(context: Context, permission: String) =
        context.checkSelfPermission(permission) == PackageManager.PERMISSION_GRANTED

    private const val PREFS = "location_permission"
    private const val ASKED = "asked"
}
