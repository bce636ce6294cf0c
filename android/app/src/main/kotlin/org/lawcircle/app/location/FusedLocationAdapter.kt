package org.lawcircle.app.location

import android.annotation.SuppressLint
import android.content.Context
import android.location.Location
import android.os.Build
import android.os.Looper
import com.google.android.gms.location.LocationCallback
import com.google.android.gms.location.LocationRequest
import com.google.android.gms.location.LocationResult
import com.google.android.gms.location.LocationServices
import com.google.android.gms.location.Priority
import org.lawcircle.ffi.Datum

/**
 * A location fix as the core takes it: WGS-84 (Android's fused provider
 * always reports WGS-84), its accuracy, and whether it is mocked. The core
 * decides what a fix is worth (clock-in geofences, accuracy buffers).
 */
data class Fix(
    val lat: Double,
    val lng: Double,
    val datum: Datum,
    val accuracyM: Float,
    val isMock: Boolean,
    val timeMillis: Long,
)

/** Passes FusedLocationProvider fixes on, untouched except for shape. */
class FusedLocationAdapter(context: Context, private val onFix: (Fix) -> Unit) {
    private val client = LocationServices.getFusedLocationProviderClient(context)
    private val request = LocationRequest.Builder(Priority.PRIORITY_HIGH_ACCURACY, 5_000).build()
    private val callback = object : LocationCallback() {
        override fun onLocationResult(result: LocationResult) {
            result.lastLocation?.let { onFix(it.toFix()) }
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

private fun Location.toFix() = Fix(
    lat = latitude,
    lng = longitude,
    datum = Datum.WGS84,
    accuracyM = accuracy,
    // isMock() from API 31; isFromMockProvider() before (deprecated there).
    isMock = if (Build.VERSION.SDK_INT >= 31) isMock else @Suppress("DEPRECATION") isFromMockProvider,
    timeMillis = time,
)
