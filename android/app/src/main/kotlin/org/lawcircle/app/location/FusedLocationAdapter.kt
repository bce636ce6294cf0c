package org.lawcircle.app.location

import android.annotation.SuppressLint
import android.content.Context
import android.location.Location
import android.os.Build
import android.os.Looper
import android.os.SystemClock
import com.google.android.gms.location.LocationCallback
import com.google.android.gms.location.LocationRequest
import com.google.android.gms.location.LocationResult
import com.google.android.gms.location.LocationServices
import com.google.android.gms.location.Priority
import org.lawcircle.phone.DeviceClock
import org.lawcircle.phone.LocationFix
import org.lawcircle.phone.deviceTime

/**
 * Passes FusedLocationProvider fixes on as [LocationFix], untouched except
 * for shape: WGS-84 (what Android reports), accuracy, provider, the mock
 * flag and both clocks. lawcircle-phone maps them to the core's fix
 * (tested there); the core decides what a fix is worth.
 */
class FusedLocationAdapter(context: Context, private val onFix: (LocationFix) -> Unit) {
    private val client = LocationServices.getFusedLocationProviderClient(context)
    private val request = LocationRequest.Builder(Priority.PRIORITY_HIGH_ACCURACY, 5_000).build()
    private val callback = object : LocationCallback() {
        override fun onLocationResult(result: LocationResult) {
            result.lastLocation?.let { onFix(it.toLocationFix()) }
        }
    }

    /** The caller has checked the location permission. */
    @SuppressLint("MissingPermission")
    fun start() {
        client.requestLocationUpdates(request, callback, Looper.getMainLooper())
    }

    fun stop() {
        client.removeLocationUpdates(callback)
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
