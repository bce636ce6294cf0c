package org.lawcircle.app.push

import org.lawcircle.app.systemService
import android.app.Application
import android.app.NotificationManager
import android.content.ComponentName
import android.content.Intent
import android.content.pm.ActivityInfo
import android.content.pm.ResolveInfo
import org.junit.Assert.assertArrayEquals
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Before
import org.junit.Test
import org.junit.runner.RunWith
import org.lawcircle.app.TestApp
import org.lawcircle.phone.PushDistributorPresenter
import org.lawcircle.phone.PushRoute
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config
import java.io.File

/** The UnifiedPush connector, the distributor's broadcasts sent to the app's receiver, the notifications. */
@RunWith(RobolectricTestRunner::class)
@Config(application = TestApp::class)
class UnifiedPushTest {
    private lateinit var app: TestApp
    private lateinit var store: UnifiedPushStore
    private lateinit var notifications: NotificationManager

    @Before
    fun setUp() {
        app = RuntimeEnvironment.getApplication() as TestApp
        store = UnifiedPushStore(app)
        notifications = app.systemService<NotificationManager>()
    }

    private fun distributorInstalled(pkg: String) {
        val info = ResolveInfo().apply {
            activityInfo = ActivityInfo().apply {
                packageName = pkg
                name = "$pkg.RegisterReceiver"
            }
        }
        @Suppress("DEPRECATION") // the simplest way to install a receiver for an action
        shadowOf(app.packageManager).addResolveInfoForIntent(Intent(UnifiedPushProtocol.ACTION_REGISTER), info)
    }

    private fun sent(action: String): List<Intent> = shadowOf(app as Application).broadcastIntents.filter { it.action == action }

    /** A broadcast from the distributor, delivered to the manifest's receiver as the system would. */
    private fun fromDistributor(action: String, token: String?, build: Intent.() -> Unit = {}) {
        val intent = Intent(action).setComponent(ComponentName(app, UnifiedPushReceiver::class.java)).apply {
            if (token != null) putExtra(UnifiedPushProtocol.EXTRA_TOKEN, token)
            build()
        }
        UnifiedPushReceiver().onReceive(app, intent)
    }

    private fun register(): String {
        distributorInstalled("io.heckel.ntfy")
        val connector = UnifiedPushConnector(app)
        assertEquals(listOf("io.heckel.ntfy"), connector.distributors())
        connector.register("io.heckel.ntfy", "BVAPIDkey")
        return store.token!!
    }

    private fun endpoint(token: String, url: String = "https://push.example.cn/up/abc") =
        fromDistributor(UnifiedPushProtocol.ACTION_NEW_ENDPOINT, token) { putExtra(UnifiedPushProtocol.EXTRA_ENDPOINT, url) }

    private fun push(token: String, json: String, id: String = "d-1") {
        val keys = store.keys()
        val body = WebPushEncryption.encrypt(json.toByteArray(), keys.publicKey, keys.authSecret)
        fromDistributor(UnifiedPushProtocol.ACTION_MESSAGE, token) {
            putExtra(UnifiedPushProtocol.EXTRA_BYTES_MESSAGE, body)
            putExtra(UnifiedPushProtocol.EXTRA_MESSAGE_ID, id)
        }
    }

    @Test
    fun registers_with_the_chosen_distributor_with_the_servers_vapid_key() {
        val token = register()
        val intent = sent(UnifiedPushProtocol.ACTION_REGISTER).single()
        assertEquals("io.heckel.ntfy", intent.`package`)
        assertEquals(token, intent.getStringExtra(UnifiedPushProtocol.EXTRA_TOKEN))
        assertEquals(app.packageName, intent.getStringExtra(UnifiedPushProtocol.EXTRA_APPLICATION))
        assertEquals("BVAPIDkey", intent.getStringExtra(UnifiedPushProtocol.EXTRA_VAPID))
        assertNotNull(intent.getStringExtra(UnifiedPushProtocol.EXTRA_MESSAGE))
        assertNotNull(intent.getParcelableExtra(UnifiedPushProtocol.EXTRA_PI, android.app.PendingIntent::class.java))
        // Registering again with the same distributor keeps the token (the distributor renews, not duplicates).
        UnifiedPushConnector(app).register("io.heckel.ntfy", "BVAPIDkey")
        assertEquals(token, store.token)
    }

    @Test
    fun a_new_endpoint_is_registered_with_the_apps_keys_and_a_foreign_token_is_ignored() {
        val token = register()
        endpoint("not-the-token", "https://evil.example/up")
        fromDistributor(UnifiedPushProtocol.ACTION_NEW_ENDPOINT, null) { putExtra(UnifiedPushProtocol.EXTRA_ENDPOINT, "https://evil.example/2") }
        assertTrue(app.registered.isEmpty())

        endpoint(token)
        val keys = store.keys()
        assertEquals(listOf(Triple("https://push.example.cn/up/abc", keys.p256dh, keys.authBase64)), app.registered)
        assertEquals(65, unBase64Url(keys.p256dh).size)
        assertEquals(16, unBase64Url(keys.authBase64).size)
        // The same endpoint again (the distributor answers every REGISTER): renewed on the server, same keys.
        endpoint(token)
        assertEquals(app.registered[0], app.registered[1])
        // A changed endpoint is registered, with the same keys.
        endpoint(token, "https://push.example.cn/up/def")
        assertEquals("https://push.example.cn/up/def", app.registered.last().first)
        assertEquals(keys.p256dh, app.registered.last().second)
        assertEquals("https://push.example.cn/up/def", store.endpoint)
    }

    @Test
    fun the_keys_are_kept_app_private_and_survive_the_process() {
        val keys = store.keys()
        val file = File(app.noBackupFilesDir, UnifiedPushStore.KEYS_FILE)
        assertTrue(file.exists())
        // A new store (a new process) reads the same keys.
        val again = UnifiedPushStore(app).keys()
        assertEquals(keys.p256dh, again.p256dh)
        assertArrayEquals(keys.authSecret, again.authSecret)
        // A damaged file: new keys, and the endpoint is forgotten so it is registered again with them.
        store.saveEndpoint("https://push.example.cn/up/abc")
        file.writeText("damaged")
        val fresh = UnifiedPushStore(app).keys()
        assertFalse(fresh.p256dh == keys.p256dh)
        assertNull(store.endpoint)
    }

    @Test
    fun a_message_is_decrypted_and_shown_once_and_acknowledged() {
        val token = register()
        val json = """{"id":"msg-7","event":"offer","order_id":"ord-1","title":"新的咨询单 New consultation","body":"婚姻家庭 · 请在30秒内抢单","created_at":"2026-12-05T10:00:00Z"}"""
        push(token, json, id = "d-1")
        val shown = shadowOf(notifications).allNotifications
        assertEquals(1, shown.size)
        val n = shown.single()
        assertEquals("新的咨询单 New consultation", n.extras.getString("android.title"))
        assertEquals("婚姻家庭 · 请在30秒内抢单", n.extras.getCharSequence("android.text").toString())
        assertEquals(org.lawcircle.app.notify.Channels.OFFERS, n.channelId)
        assertEquals("抢单 Grab", n.actions.single().title.toString())
        // The lock screen shows nothing of it.
        assertEquals("有新的通知 New notification", n.publicVersion.extras.getCharSequence("android.text").toString())
        // The distributor is told it arrived.
        val ack = sent(UnifiedPushProtocol.ACTION_MESSAGE_ACK).single()
        assertEquals("d-1", ack.getStringExtra(UnifiedPushProtocol.EXTRA_MESSAGE_ID))
        assertEquals(token, ack.getStringExtra(UnifiedPushProtocol.EXTRA_TOKEN))

        // The same message again (a retry, or after a crash): not shown twice, even by a new process.
        push(token, json, id = "d-2")
        assertEquals(1, shadowOf(notifications).allNotifications.size)
        assertEquals(
            UnifiedPushEvents.Outcome.DUPLICATE,
            UnifiedPushEvents(app, null).handle(
                Intent(UnifiedPushProtocol.ACTION_MESSAGE)
                    .putExtra(UnifiedPushProtocol.EXTRA_TOKEN, token)
                    .putExtra(UnifiedPushProtocol.EXTRA_BYTES_MESSAGE, WebPushEncryption.encrypt(json.toByteArray(), store.keys().publicKey, store.keys().authSecret)),
            ),
        )
    }

    @Test
    fun a_withdrawn_offer_is_removed_and_does_not_show_if_it_comes_late() {
        val token = register()
        push(token, """{"id":"m-1","event":"offer","order_id":"o-1","title":"新的咨询单","body":"抢单"}""")
        assertEquals(1, shadowOf(notifications).allNotifications.size)
        push(token, """{"id":"m-2","event":"withdrawn","order_id":"o-1","withdraws":"m-1","title":"已被抢","body":""}""")
        assertEquals(0, shadowOf(notifications).allNotifications.size)
        // Withdrawn before it arrived: never shown.
        push(token, """{"id":"m-4","event":"withdrawn","withdraws":"m-3","title":"","body":""}""")
        push(token, """{"id":"m-3","event":"offer","order_id":"o-2","title":"新的咨询单","body":"抢单"}""")
        assertEquals(0, shadowOf(notifications).allNotifications.size)
        // An update (not an offer) goes to the updates channel, with no grab action.
        push(token, """{"id":"m-5","event":"resolved","order_id":"o-9","title":"您的需求已办结","body":"请为本次服务评价"}""")
        val n = shadowOf(notifications).allNotifications.single()
        assertEquals(org.lawcircle.app.notify.Channels.UPDATES, n.channelId)
        assertNull(n.actions)
    }

    @Test
    fun a_body_that_does_not_decrypt_or_a_foreign_token_shows_nothing() {
        val token = register()
        val other = WebPushKeys.generate()
        val forged = WebPushEncryption.encrypt("""{"id":"x","event":"offer","title":"t","body":"b"}""".toByteArray(), other.publicKey, other.authSecret)
        fromDistributor(UnifiedPushProtocol.ACTION_MESSAGE, token) { putExtra(UnifiedPushProtocol.EXTRA_BYTES_MESSAGE, forged) }
        push("someone-else", """{"id":"y","event":"offer","title":"t","body":"b"}""")
        push(token, "not json")
        assertEquals(0, shadowOf(notifications).allNotifications.size)
    }

    @Test
    fun unregistered_or_failed_forgets_the_registration_and_unregisters_the_device() {
        val token = register()
        endpoint(token)
        fromDistributor(UnifiedPushProtocol.ACTION_UNREGISTERED, token)
        assertEquals(1, app.unregistered)
        assertNull(store.token)
        assertNull(store.endpoint)
        // Broadcasts of the old registration are ignored now.
        val before = app.registered.size
        endpoint(token, "https://push.example.cn/up/zzz")
        assertEquals(before, app.registered.size)

        val again = register()
        fromDistributor(UnifiedPushProtocol.ACTION_REGISTRATION_FAILED, again) { putExtra(UnifiedPushProtocol.EXTRA_REASON, "network") }
        assertNull(store.token)
        assertFalse(again == token)
    }

    @Test
    fun the_default_distributor_is_the_one_chosen_before_or_the_only_one() {
        val connector = UnifiedPushConnector(app)
        assertNull(connector.defaultDistributor())
        distributorInstalled("io.heckel.ntfy")
        assertEquals("io.heckel.ntfy", connector.defaultDistributor())
        distributorInstalled("org.unifiedpush.distributor.nextpush")
        // Two installed and none chosen: the user picks.
        assertNull(connector.defaultDistributor())
        connector.register("org.unifiedpush.distributor.nextpush", "BVAPIDkey")
        assertEquals("org.unifiedpush.distributor.nextpush", connector.defaultDistributor())
    }

    @Test
    fun the_users_pick_among_several_is_kept_across_sign_out() {
        val connector = UnifiedPushConnector(app)
        distributorInstalled("io.heckel.ntfy")
        distributorInstalled("org.unifiedpush.distributor.nextpush")
        assertEquals(
            listOf("io.heckel.ntfy", "org.unifiedpush.distributor.nextpush"),
            connector.installed().map { it.packageName },
        )
        val choice = DistributorChoice(app)
        val chooser = PushDistributorPresenter(choice, connector::installed)
        assertTrue(chooser.state.value.route is PushRoute.Choose)
        chooser.choose("io.heckel.ntfy")
        assertEquals("io.heckel.ntfy", connector.defaultDistributor())
        // Signing out unregisters; the pick stays, the next sign-in does not ask.
        connector.register("io.heckel.ntfy", "BVAPIDkey")
        connector.unregister()
        assertNull(store.distributor)
        assertEquals("io.heckel.ntfy", UnifiedPushConnector(app).defaultDistributor())
        assertEquals("io.heckel.ntfy", DistributorChoice(app).load())
        // Asked to change: the chooser shows both again.
        chooser.changeChoice()
        assertNull(DistributorChoice(app).load())
        assertNull(connector.defaultDistributor())
    }

    @Test
    fun unregister_tells_the_distributor() {
        val token = register()
        UnifiedPushConnector(app).unregister()
        val intent = sent(UnifiedPushProtocol.ACTION_UNREGISTER).single()
        assertEquals("io.heckel.ntfy", intent.`package`)
        assertEquals(token, intent.getStringExtra(UnifiedPushProtocol.EXTRA_TOKEN))
        assertNull(store.token)
    }
}
