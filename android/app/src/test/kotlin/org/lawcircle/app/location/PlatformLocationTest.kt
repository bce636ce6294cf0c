package org.lawcircle.app.location

import org.lawcircle.app.systemService
import android.Manifest
import android.app.Activity
import android.app.Application
import android.location.Location
import android.location.LocationManager
import android.os.Looper
import android.os.SystemClock
import android.provider.Settings
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Before
import org.junit.Test
import org.junit.runner.RunWith
import org.lawcircle.ffi.FixSource
import org.lawcircle.phone.LocationFix
import org.lawcircle.phone.toGpsFix
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.robolectric.shadows.ShadowLocationManager
import java.util.concurrent.TimeUnit

/** Fixes from the framework LocationManager (shadowed) and the permission flow. */
@RunWith(RobolectricTestRunner::class)
class PlatformLocationTest {
    private lateinit var app: Application
    private lateinit var manager: LocationManager
    private lateinit var shadow: ShadowLocationManager
    private val fixes = mutableListOf<LocationFix>()

    @Before
    fun setUp() {
        app = RuntimeEnvironment.getApplication()
        manager = app.systemService<LocationManager>()
        shadow = shadowOf(manager)
        shadow.setProviderEnabled(LocationManager.GPS_PROVIDER, true)
        shadow.setProviderEnabled(LocationManager.NETWORK_PROVIDER, true)
    }

    private fun location(provider: String, accuracy: Float?, ageSeconds: Long = 0, mock: Boolean = false) = Location(provider).apply {
        latitude = 27.9786
        longitude = 120.7632
        accuracy?.let { this.accuracy = it }
        time = System.currentTimeMillis() - ageSeconds * 1000
        elapsedRealtimeNanos = SystemClock.elapsedRealtimeNanos() - TimeUnit.SECONDS.toNanos(ageSeconds)
        isMock = mock
    }

    /** A fix from the provider, delivered on the main looper as the framework does. */
    private fun simulate(location: Location) {
        shadow.simulateLocation(location)
        shadowOf(Looper.getMainLooper()).idle()
    }

    @Test
    fun without_permission_nothing_starts() {
        val adapter = PlatformLocation(app, { fixes += it })
        assertFalse(adapter.start())
        assertTrue(shadow.getLocationRequests(LocationManager.GPS_PROVIDER).isEmpty())
    }

    @Test
    fun precise_access_listens_to_gps_and_network_and_passes_each_fix_with_its_accuracy_clocks_and_mock_flag() {
        shadowOf(app).grantPermissions(Manifest.permission.ACCESS_FINE_LOCATION, Manifest.permission.ACCESS_COARSE_LOCATION)
        val adapter = PlatformLocation(app, { fixes += it })
        assertTrue(adapter.start())
        assertEquals(1, shadow.getLocationRequests(LocationManager.GPS_PROVIDER).size)
        assertEquals(1, shadow.getLocationRequests(LocationManager.NETWORK_PROVIDER).size)

        val gps = location(LocationManager.GPS_PROVIDER, 8f, mock = true)
        simulate(gps)
        val fix = fixes.single()
        assertEquals(8f, fix.accuracyM)
        assertEquals("gps", fix.provider)
        assertTrue(fix.isMock)
        assertEquals(gps.elapsedRealtimeNanos, fix.elapsedRealtimeNanos)
        assertEquals(gps.time, fix.timeMillis)
        // The core's fix: GPS source, the mock flag, the monotonic clock in ms.
        val core = fix.toGpsFix()!!
        assertEquals(FixSource.GPS, core.source)
        assertTrue(core.isMock)
        assertEquals((gps.elapsedRealtimeNanos / 1_000_000).toULong(), core.elapsedMs)

        // A coarser network fix right after does not replace the GPS fix…
        simulate(location(LocationManager.NETWORK_PROVIDER, 300f))
        assertEquals(1, fixes.size)
        // …a fix without accuracy is no better either, and the core would take none from it.
        simulate(location(LocationManager.GPS_PROVIDER, null))
        assertEquals(1, fixes.size)
        assertNull(location(LocationManager.GPS_PROVIDER, null).toLocationFix().toGpsFix())

        adapter.stop()
        assertTrue(shadow.getLocationRequests(LocationManager.GPS_PROVIDER).isEmpty())
        simulate(location(LocationManager.GPS_PROVIDER, 3f))
        assertEquals(1, fixes.size)
    }

    @Test
    fun approximate_only_uses_the_network_provider() {
        shadowOf(app).grantPermissions(Manifest.permission.ACCESS_COARSE_LOCATION)
        assertEquals(LocationAccess.APPROXIMATE, LocationPermission.access(app))
        val adapter = PlatformLocation(app, { fixes += it })
        assertTrue(adapter.start())
        assertTrue(shadow.getLocationRequests(LocationManager.GPS_PROVIDER).isEmpty())
        assertEquals(1, shadow.getLocationRequests(LocationManager.NETWORK_PROVIDER).size)
        simulate(location(LocationManager.NETWORK_PROVIDER, 250f))
        assertEquals(FixSource.NETWORK, fixes.single().toGpsFix()!!.source)
    }

    @Test
    fun a_recent_last_known_fix_answers_at_once_an_old_one_does_not() {
        shadowOf(app).grantPermissions(Manifest.permission.ACCESS_FINE_LOCATION)
        // Fixes the phone had before the app listened: its last known ones.
        shadow.simulateLocation(location(LocationManager.GPS_PROVIDER, 12f, ageSeconds = 30))
        shadow.simulateLocation(location(LocationManager.NETWORK_PROVIDER, 40f, ageSeconds = 600))
        assertTrue(PlatformLocation(app, { fixes += it }).start())
        assertEquals(listOf("gps"), fixes.map { it.provider })
    }

    @Test
    fun with_every_provider_off_it_says_so() {
        shadowOf(app).grantPermissions(Manifest.permission.ACCESS_FINE_LOCATION)
        shadow.setProviderEnabled(LocationManager.GPS_PROVIDER, false)
        shadow.setProviderEnabled(LocationManager.NETWORK_PROVIDER, false)
        assertFalse(PlatformLocation(app, { fixes += it }).start())
    }

    @Test
    fun a_much_newer_fix_replaces_a_more_accurate_old_one() {
        val old = location(LocationManager.GPS_PROVIDER, 5f, ageSeconds = 120)
        assertTrue(PlatformLocation.isBetter(location(LocationManager.NETWORK_PROVIDER, 200f), old))
        assertFalse(PlatformLocation.isBetter(old, location(LocationManager.NETWORK_PROVIDER, 200f)))
        assertTrue(PlatformLocation.isBetter(location(LocationManager.GPS_PROVIDER, 4f), location(LocationManager.GPS_PROVIDER, 10f)))
    }

    @Test
    fun the_permission_flow_tells_denied_from_denied_for_good() {
        val activity = Robolectric.buildActivity(Activity::class.java).setup().get()
        val pm = shadowOf(app.packageManager)
        // Never asked: a plain refusal state, the app asks.
        assertEquals(LocationAccess.DENIED, LocationPermission.afterAnswer(activity))
        LocationPermission.request(activity)
        assertEquals(LocationPermission.PERMISSIONS.toList(), shadowOf(activity).lastRequestedPermission.requestedPermissions.toList())
        // Refused once: Android asks the app to explain, it may ask again.
        pm.setShouldShowRequestPermissionRationale(Manifest.permission.ACCESS_FINE_LOCATION, true)
        assertEquals(LocationAccess.DENIED, LocationPermission.afterAnswer(activity))
        // "Don't ask again": no rationale after having asked; only the settings page helps.
        pm.setShouldShowRequestPermissionRationale(Manifest.permission.ACCESS_FINE_LOCATION, false)
        assertEquals(LocationAccess.DENIED_FOR_GOOD, LocationPermission.afterAnswer(activity))
        val settings = LocationPermission.settingsIntent(activity)
        assertEquals(Settings.ACTION_APPLICATION_DETAILS_SETTINGS, settings.action)
        assertEquals("package:${activity.packageName}", settings.data.toString())
        // Granted in the settings: approximate only, then precise.
        shadowOf(app).grantPermissions(Manifest.permission.ACCESS_COARSE_LOCATION)
        assertEquals(LocationAccess.APPROXIMATE, LocationPermission.afterAnswer(activity))
        shadowOf(app).grantPermissions(Manifest.permission.ACCESS_FINE_LOCATION)
        assertEquals(LocationAccess.PRECISE, LocationPermission.afterAnswer(activity))
    }
}
