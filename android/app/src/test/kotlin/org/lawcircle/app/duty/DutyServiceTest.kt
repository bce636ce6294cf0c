package org.lawcircle.app.duty

import org.lawcircle.ffi.NeedCategory
import org.lawcircle.app.systemService
import android.Manifest
import android.app.Activity
import android.app.Application
import android.app.Notification
import android.app.NotificationManager
import android.content.Intent
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Before
import org.junit.Test
import org.junit.runner.RunWith
import org.lawcircle.app.AppIntents
import org.lawcircle.app.TestApp
import org.lawcircle.app.notify.Channels
import org.lawcircle.ffi.FenceVerdict
import org.lawcircle.ffi.PunchKind
import org.lawcircle.phone.PunchOutcome
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config

/** The duty foreground service, driven as the system drives it, and the punches that start and stop it. */
@RunWith(RobolectricTestRunner::class)
@Config(application = TestApp::class)
class DutyServiceTest {
    private lateinit var app: TestApp
    private lateinit var notifications: NotificationManager

    @Before
    fun setUp() {
        app = RuntimeEnvironment.getApplication() as TestApp
        notifications = app.systemService<NotificationManager>()
    }

    private fun startIntent() = Intent(app, DutyService::class.java).setAction(DutyService.ACTION_START)
        .putExtra(DutyService.EXTRA_LATITUDE, 27.9786).putExtra(DutyService.EXTRA_LONGITUDE, 120.7632)

    private fun offers() = shadowOf(notifications).allNotifications.filter { it.channelId == Channels.OFFERS }

    private fun Notification.title() = extras.getCharSequence(Notification.EXTRA_TITLE).toString()

    @Test
    fun on_duty_it_runs_in_the_foreground_with_location_and_data_sync_and_keeps_the_stream_open() {
        shadowOf(app as Application).grantPermissions(Manifest.permission.ACCESS_COARSE_LOCATION)
        val controller = Robolectric.buildService(DutyService::class.java, startIntent()).create().startCommand(0, 1)
        val service = controller.get()
        val shadow = shadowOf(service)
        assertFalse(shadow.isForegroundStopped)
        val ongoing = shadow.lastForegroundNotification
        assertNotNull(ongoing)
        assertEquals(DutyService.ONGOING, shadow.lastForegroundNotificationId)
        assertEquals(Channels.DUTY, ongoing.channelId)
        assertTrue(ongoing.flags and Notification.FLAG_ONGOING_EVENT != 0)
        assertEquals(
            android.content.pm.ServiceInfo.FOREGROUND_SERVICE_TYPE_LOCATION or android.content.pm.ServiceInfo.FOREGROUND_SERVICE_TYPE_DATA_SYNC,
            service.foregroundServiceType,
        )
        // The stream is opened at the post's position, once.
        val feed = app.feeds.single()
        assertEquals(27.9786, feed.latitude, 0.0)
        assertEquals(120.7632, feed.longitude, 0.0)
        controller.startCommand(0, 2)
        assertEquals(1, app.feeds.size)
    }

    @Test
    fun without_a_location_permission_it_runs_as_data_sync_only() {
        // Android 14 refuses the location type to an app without location access.
        val service = Robolectric.buildService(DutyService::class.java, startIntent()).create().startCommand(0, 1).get()
        assertEquals(android.content.pm.ServiceInfo.FOREGROUND_SERVICE_TYPE_DATA_SYNC, service.foregroundServiceType)
        assertEquals(1, app.feeds.size)
    }

    @Test
    fun each_offer_is_notified_once_with_grab_and_withdrawn_when_taken_and_dispatched_orders_get_accept_and_decline() {
        Robolectric.buildService(DutyService::class.java, startIntent()).create().startCommand(0, 1)
        val listener = app.feeds.single().listener!!
        listener.onOffers(listOf(DutyOrder("o-1", NeedCategory.CONSULTATION, urgent = false), DutyOrder("o-2", NeedCategory.MEDIATION, urgent = true)))
        assertEquals(2, offers().size)
        val urgent = offers().single { it.extras.getString(AppIntents.EXTRA_ORDER_ID) == "o-2" }
        assertEquals("紧急咨询单 Urgent consultation", urgent.title())
        assertEquals(listOf("抢单 Grab"), urgent.actions.map { it.title.toString() })
        // The grab action opens the app on that order.
        val opened = shadowOf(urgent.actions.single().actionIntent).savedIntent
        assertEquals(AppIntents.ACTION_GRAB, opened.action)
        assertEquals("o-2", opened.getStringExtra(AppIntents.EXTRA_ORDER_ID))
        assertEquals(AppIntents.MAIN_ACTIVITY, opened.component!!.className)

        // The same offers again (the stream repeats them after a reconnect): nothing new.
        listener.onOffers(listOf(DutyOrder("o-1", NeedCategory.CONSULTATION, false), DutyOrder("o-2", NeedCategory.MEDIATION, true)))
        assertEquals(2, offers().size)
        // o-1 taken by someone else: its notification goes.
        listener.onOffers(listOf(DutyOrder("o-2", NeedCategory.MEDIATION, true)))
        assertEquals(listOf("o-2"), offers().map { it.extras.getString(AppIntents.EXTRA_ORDER_ID) })

        listener.onAssigned(DutyOrder("o-9", NeedCategory.LEGAL_AID, false))
        val dispatched = offers().single { it.extras.getString(AppIntents.EXTRA_ORDER_ID) == "o-9" }
        assertEquals("新的派单 Order dispatched to you", dispatched.title())
        assertEquals(listOf("接单 Accept", "拒绝 Decline"), dispatched.actions.map { it.title.toString() })
        assertEquals(AppIntents.ACTION_DECLINE, shadowOf(dispatched.actions[1].actionIntent).savedIntent.action)
        // Nothing of the need itself: no description, no contact, only the kind of event.
        offers().forEach { assertNull(it.extras.getCharSequence(Notification.EXTRA_BIG_TEXT)) }
    }

    @Test
    fun started_without_a_post_position_it_stops_itself() {
        val service = Robolectric.buildService(DutyService::class.java, Intent(app, DutyService::class.java).setAction(DutyService.ACTION_START))
            .create().startCommand(0, 1).get()
        assertTrue(shadowOf(service).isStoppedBySelf)
        assertTrue(shadowOf(service).isForegroundStopped)
        assertTrue(app.feeds.isEmpty())
    }

    @Test
    fun clock_out_closes_the_stream_and_removes_the_offers_and_the_ongoing_notification() {
        val controller = Robolectric.buildService(DutyService::class.java, startIntent()).create().startCommand(0, 1)
        val feed = app.feeds.single()
        feed.listener!!.onOffers(listOf(DutyOrder("o-1", NeedCategory.CONSULTATION, false)))
        assertEquals(1, offers().size)
        controller.destroy()
        assertTrue(feed.closed)
        assertEquals(0, offers().size)
    }

    private fun outcome(kind: PunchKind, verdict: FenceVerdict) =
        PunchOutcome(kind, "post-1", "p-1", "k-1", verdict, emptyList(), emptyList(), offline = false)

    @Test
    fun a_clock_in_that_counts_starts_the_service_and_clock_out_stops_it() {
        val shadowApp = shadowOf(app as Application)
        assertFalse(Duty.onPunch(app, outcome(PunchKind.IN, FenceVerdict.OUTSIDE), 27.97, 120.76))
        assertNull(shadowApp.nextStartedService)

        assertTrue(Duty.onPunch(app, outcome(PunchKind.IN, FenceVerdict.INSIDE), 27.97, 120.76))
        val started = shadowApp.nextStartedService
        assertEquals(DutyService::class.java.name, started.component!!.className)
        assertEquals(27.97, started.getDoubleExtra(DutyService.EXTRA_LATITUDE, 0.0), 0.0)
        // Uncertain (kept for staff review) counts as on duty too.
        assertTrue(Duty.onPunch(app, outcome(PunchKind.IN, FenceVerdict.UNCERTAIN), 27.97, 120.76))
        assertNotNull(shadowApp.nextStartedService)

        assertTrue(Duty.onPunch(app, outcome(PunchKind.OUT, FenceVerdict.INSIDE), 27.97, 120.76))
        assertEquals(DutyService::class.java.name, shadowApp.nextStoppedService.component!!.className)
    }

    @Test
    @Config(sdk = [35])
    fun the_notification_permission_is_asked_at_clock_in_until_granted() {
        val activity = Robolectric.buildActivity(Activity::class.java).setup().get()
        assertTrue(Duty.beforeClockIn(activity))
        val asked = shadowOf(activity).lastRequestedPermission
        assertEquals(listOf(Manifest.permission.POST_NOTIFICATIONS), asked.requestedPermissions.toList())
        shadowOf(app as Application).grantPermissions(Manifest.permission.POST_NOTIFICATIONS)
        assertFalse(Duty.beforeClockIn(activity))
    }
}
