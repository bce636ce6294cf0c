package org.lawcircle.app

import org.lawcircle.ffi.NeedCategory
import org.lawcircle.ffi.Channel
import android.Manifest
import android.app.Application
import android.app.Notification
import android.app.NotificationManager
import android.content.Intent
import android.content.pm.ActivityInfo
import android.content.pm.ResolveInfo
import android.location.Location
import android.location.LocationManager
import android.os.Looper
import android.os.SystemClock
import com.sun.net.httpserver.HttpServer
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.runBlocking
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Before
import org.junit.Test
import org.junit.runner.RunWith
import org.lawcircle.app.duty.Duty
import org.lawcircle.app.duty.DutyFeed
import org.lawcircle.app.location.PlatformLocation
import org.lawcircle.app.location.systemDeviceClock
import org.lawcircle.app.duty.DutyService
import org.lawcircle.app.notify.Channels
import org.lawcircle.app.push.PushMessage
import org.lawcircle.app.push.UnifiedPushProtocol
import org.lawcircle.app.push.UnifiedPushReceiver
import org.lawcircle.app.push.UnifiedPushStore
import org.lawcircle.app.push.UnifiedPushConnector
import org.lawcircle.app.push.WebPushDecryption
import org.lawcircle.app.sync.SyncResult
import org.lawcircle.ffi.ClientConfig
import org.lawcircle.ffi.Credentials
import org.lawcircle.ffi.FenceVerdict
import org.lawcircle.ffi.LawCircleClient
import org.lawcircle.ffi.PunchKind
import org.lawcircle.phone.ClockInPresenter
import org.lawcircle.phone.NeedFields
import org.lawcircle.phone.NewNeedPresenter
import org.lawcircle.phone.OkHttpTransport
import org.lawcircle.phone.People
import org.lawcircle.phone.TestServer
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config
import java.io.File
import java.net.InetSocketAddress
import java.nio.file.Files
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit
import kotlin.test.assertNotNull

/** The application of [CoreServicesTest]: the app's real services over a real client. */
class CoreTestApp : Application(), AppServices {
    lateinit var services: CoreServices
    override val pushEndpoints get() = services.pushEndpoints
    override val outboxSync get() = services.outboxSync

    override fun dutyFeed(latitude: Double, longitude: Double): DutyFeed = services.dutyFeed(latitude, longitude)
}

/**
 * The glue over the real phone library (JNA, inside Robolectric's
 * sandbox) against the real server binary: the UnifiedPush endpoint
 * registered through the presenter, the server's own RFC 8291 push read
 * from a local push service (the distributor's side) and shown; the duty
 * service's live offers; the sync job's delivery.
 */
@RunWith(RobolectricTestRunner::class)
@Config(application = CoreTestApp::class)
class CoreServicesTest {
    private lateinit var app: CoreTestApp
    private lateinit var dir: File
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.IO)
    private val notifications get() = app.systemService<NotificationManager>()

    @Before
    fun setUp() {
        app = RuntimeEnvironment.getApplication() as CoreTestApp
        dir = Files.createTempDirectory("lawcircle-app").toFile()
    }

    @After
    fun tearDown() {
        scope.cancel()
        dir.deleteRecursively()
    }

    private fun phone(url: String, who: String, password: String): LawCircleClient =
        LawCircleClient.open(ClientConfig(File(dir, "$who/lawcircle.sqlite").path, url, Credentials(who, password)), OkHttpTransport())

    private fun needFields(people: People) = NeedFields(
        requesterName = "李四",
        requesterPhone = "13812345678",
        category = NeedCategory.CONSULTATION,
        description = "邻居装修噪音纠纷，希望咨询如何处理",
        address = "永中街道示例社区",
        areaCode = people.villageCode,
        channel = Channel.ONLINE,
        consentGiven = true,
    )

    /** Queues a consultation on [resident]'s phone and lets the sync job deliver it: its order id. */
    private fun fileNeed(resident: LawCircleClient, people: People): String = runBlocking {
        NewNeedPresenter(resident, this, initial = needFields(people)).use { need ->
            need.submit().join()
            assertNotNull(need.state.value.submittedKey)
        }
        assertEquals(SyncResult.DONE, CoreServices(resident, scope).outboxSync.syncNow())
        resident.myNeeds().single().orderId!!
    }

    private fun <T> waitFor(what: String, probe: () -> T?): T {
        val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60)
        while (System.nanoTime() < deadline) {
            probe()?.let { return it }
            Thread.sleep(50)
        }
        error("timed out waiting for $what")
    }

    /** A push service on loopback, as a distributor's server receives pushes (RFC 8030). */
    private class PushService : AutoCloseable {
        val bodies = LinkedBlockingQueue<Pair<String?, ByteArray>>()
        private val http = HttpServer.create(InetSocketAddress("127.0.0.1", 0), 0).apply {
            createContext("/up/") { exchange ->
                bodies += exchange.requestHeaders.getFirst("Content-Encoding") to exchange.requestBody.readBytes()
                exchange.sendResponseHeaders(201, -1)
                exchange.close()
            }
            start()
        }

        fun url(path: String) = "http://127.0.0.1:${http.address.port}$path"

        override fun close() = http.stop(0)
    }

    @Test
    fun the_server_pushes_an_offer_to_the_registered_endpoint_and_the_app_decrypts_and_shows_it_once() {
        TestServer.start("--demo", "--push-allow-plain-http").use { server ->
            val people = server.seedPeople()
            PushService().use { pushService ->
                phone(server.baseUrl, "volunteer", people.volunteer.password).use { volunteer ->
                    runBlocking { volunteer.signIn() }
                    app.services = CoreServices(volunteer, scope)
                    val registration = app.services.pushRegistration
                    runBlocking { registration.loadServerKey().join() }
                    val vapid = assertNotNull(registration.state.value.serverKey)

                    // The user's distributor, installed and chosen.
                    val distributor = ResolveInfo().apply {
                        activityInfo = ActivityInfo().apply {
                            packageName = "org.unifiedpush.distributor.fake"
                            name = "org.unifiedpush.distributor.fake.Register"
                        }
                    }
                    @Suppress("DEPRECATION") // the simplest way to install a receiver for an action
                    shadowOf(app.packageManager).addResolveInfoForIntent(Intent(UnifiedPushProtocol.ACTION_REGISTER), distributor)
                    val connector = UnifiedPushConnector(app)
                    connector.register(connector.distributors().single(), vapid)
                    val token = UnifiedPushStore(app).token!!
                    // Its answer: an endpoint on its push server, registered with the server by the presenter.
                    val endpoint = pushService.url("/up/volunteer")
                    UnifiedPushReceiver().onReceive(
                        app,
                        Intent(UnifiedPushProtocol.ACTION_NEW_ENDPOINT)
                            .putExtra(UnifiedPushProtocol.EXTRA_TOKEN, token).putExtra(UnifiedPushProtocol.EXTRA_ENDPOINT, endpoint),
                    )
                    waitFor("the device registered") { registration.state.value.deviceId }
                    assertEquals(endpoint, registration.state.value.endpoint)

                    // A resident files a consultation: the server pushes the offer, encrypted for this phone.
                    val orderId = phone(server.baseUrl, "resident", people.resident.password).use { fileNeed(it, people) }
                    val (encoding, body) = assertNotNull(pushService.bodies.poll(60, TimeUnit.SECONDS))
                    assertEquals("aes128gcm", encoding)
                    val json = String(WebPushDecryption.decrypt(body, UnifiedPushStore(app).keys()))
                    val message = assertNotNull(PushMessage.parse(json))
                    assertEquals("offer", message.event)
                    assertEquals(orderId, message.orderId)
                    // Never the need's description or the requester's contact, not even inside the encryption.
                    assertFalse(json, json.contains("噪音") || json.contains("13812345678") || json.contains("李四"))

                    // The distributor delivers it to the app: shown once, as the server worded it.
                    repeat(2) { i ->
                        UnifiedPushReceiver().onReceive(
                            app,
                            Intent(UnifiedPushProtocol.ACTION_MESSAGE).putExtra(UnifiedPushProtocol.EXTRA_TOKEN, token)
                                .putExtra(UnifiedPushProtocol.EXTRA_BYTES_MESSAGE, body).putExtra(UnifiedPushProtocol.EXTRA_MESSAGE_ID, "up-$i"),
                        )
                    }
                    val shown = shadowOf(notifications).allNotifications.single()
                    assertEquals(message.title, shown.extras.getCharSequence(Notification.EXTRA_TITLE).toString())
                    assertEquals(message.body, shown.extras.getCharSequence(Notification.EXTRA_TEXT).toString())
                    assertEquals(Channels.OFFERS, shown.channelId)

                    // The distributor drops the registration: the device is unregistered on the server.
                    UnifiedPushReceiver().onReceive(
                        app,
                        Intent(UnifiedPushProtocol.ACTION_UNREGISTERED).putExtra(UnifiedPushProtocol.EXTRA_TOKEN, token),
                    )
                    waitFor("the device unregistered") { if (registration.state.value.deviceId == null && !registration.state.value.busy) true else null }
                    assertEquals(null, registration.state.value.error)
                }
            }
        }
    }

    /**
     * A fix from LocationManager (shadowed: the GPS chip) through
     * PlatformLocation to the clock-in presenter and the core: inside the
     * fence, recorded, and the duty service started by the punch; a mock
     * fix at the same spot is refused as such.
     */
    private fun clockInWithTheFrameworksFix(volunteer: LawCircleClient, people: People) = runBlocking {
        volunteer.signIn()
        shadowOf(app as Application).grantPermissions(Manifest.permission.ACCESS_FINE_LOCATION)
        val gps = shadowOf(app.systemService<LocationManager>())
        gps.setProviderEnabled(LocationManager.GPS_PROVIDER, true)
        fun fixAtThePost(mock: Boolean) = Location(LocationManager.GPS_PROVIDER).apply {
            latitude = people.postLat
            longitude = people.postLng
            accuracy = 8f
            time = System.currentTimeMillis()
            elapsedRealtimeNanos = SystemClock.elapsedRealtimeNanos()
            isMock = mock
        }
        ClockInPresenter(volunteer, scope, systemDeviceClock).use { clockIn ->
            clockIn.refresh().join()
            val location = PlatformLocation(app, onFix = { clockIn.onLocation(it) })
            assertTrue(location.start())
            gps.simulateLocation(fixAtThePost(mock = false))
            shadowOf(Looper.getMainLooper()).idle()
            waitFor("the live check") { clockIn.state.value.check?.takeIf { clockIn.state.value.postId == people.postId } }
            assertEquals(8.0, clockIn.state.value.accuracyM!!, 0.0)
            clockIn.punch(PunchKind.IN).join()
            val outcome = assertNotNull(clockIn.state.value.outcome, "${clockIn.state.value.error}")
            assertEquals(FenceVerdict.INSIDE, outcome.verdict)
            val post = clockIn.state.value.posts.first { it.id == outcome.postId }.center!!
            assertTrue(Duty.onPunch(app, outcome, post.lat, post.lng))
            assertEquals(DutyService::class.java.name, shadowOf(app as Application).nextStartedService.component!!.className)

            // The same spot from a mock location app: the core refuses it and says why.
            location.stop()
            val mocked = PlatformLocation(app, onFix = { clockIn.onLocation(it) })
            assertTrue(mocked.start())
            gps.simulateLocation(fixAtThePost(mock = true))
            shadowOf(Looper.getMainLooper()).idle()
            waitFor("the mock fix checked") { clockIn.state.value.check?.takeIf { "mock_location" in it.reasons + it.flags } }
            mocked.stop()
        }
    }

    @Test
    fun on_duty_the_service_notifies_live_offers_and_the_sync_job_delivers_or_retries() {
        TestServer.start("--demo").use { server ->
            val people = server.seedPeople()
            phone(server.baseUrl, "volunteer", people.volunteer.password).use { volunteer ->
                app.services = CoreServices(volunteer, scope)
                clockInWithTheFrameworksFix(volunteer, people)
                val service = Robolectric.buildService(
                    DutyService::class.java,
                    Intent(app, DutyService::class.java).setAction(DutyService.ACTION_START)
                        .putExtra(DutyService.EXTRA_LATITUDE, people.postLat).putExtra(DutyService.EXTRA_LONGITUDE, people.postLng),
                ).create().startCommand(0, 1)

                val orderId = phone(server.baseUrl, "resident", people.resident.password).use { fileNeed(it, people) }
                // The live stream's offer, as a notification with the grab action.
                val offer = waitFor("the offer notified") {
                    shadowOf(notifications).allNotifications.firstOrNull { it.extras.getString(AppIntents.EXTRA_ORDER_ID) == orderId }
                }
                assertEquals(listOf("抢单 Grab"), offer.actions.map { it.title.toString() })

                // Another volunteer's grab (here the same account's, from another phone): the offer goes away.
                runBlocking { volunteer.grabOrder(orderId, org.lawcircle.ffi.Point(people.postLat, people.postLng, org.lawcircle.ffi.Datum.WGS84)) }
                waitFor("the offer withdrawn") {
                    if (shadowOf(notifications).allNotifications.none { it.extras.getString(AppIntents.EXTRA_ORDER_ID) == orderId }) true else null
                }
                service.destroy()
            }

            // The sync job's delivery: offline it asks to run again (with backoff), online it delivers.
            phone(server.baseUrl, "resident", people.resident.password).use { resident ->
                runBlocking { resident.signIn() }
                server.stop()
                runBlocking { NewNeedPresenter(resident, this, initial = needFields(people)).use { it.submit().join() } }
                assertTrue(resident.outboxCounts().pending > 0u)
                val sync = CoreServices(resident, scope).outboxSync
                assertEquals(SyncResult.RETRY, sync.syncNow())
                server.restart().use {
                    assertEquals(SyncResult.DONE, sync.syncNow())
                    assertEquals(0uL, resident.outboxCounts().pending)
                    assertEquals(2, runBlocking { resident.myNeeds() }.size)
                }
            }
        }
    }
}
