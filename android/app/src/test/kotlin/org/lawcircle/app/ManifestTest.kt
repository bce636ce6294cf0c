package org.lawcircle.app

import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Test
import org.lawcircle.app.duty.DutyService
import org.lawcircle.app.push.UnifiedPushProtocol
import org.lawcircle.app.push.UnifiedPushReceiver
import org.lawcircle.app.sync.OutboxSyncJob
import org.w3c.dom.Element
import java.io.File
import javax.xml.parsers.DocumentBuilderFactory

/**
 * The manifest declares what the glue relies on (no aapt here to merge
 * it): the components by their real class names, the receiver's actions,
 * the service types Android 14 checks, the permissions, and the query
 * that makes distributors visible on Android 11+.
 */
class ManifestTest {
    private val android = "http://schemas.android.com/apk/res/android"
    private val manifest: Element = DocumentBuilderFactory.newInstance().apply { isNamespaceAware = true }
        .newDocumentBuilder()
        .parse(File(System.getProperty("lawcircle.repo", "."), "android/app/src/main/AndroidManifest.xml"))
        .documentElement

    private fun elements(tag: String): List<Element> =
        manifest.getElementsByTagName(tag).let { list -> (0 until list.length).map { list.item(it) as Element } }

    private fun component(tag: String, cls: Class<*>): Element =
        elements(tag).single { "org.lawcircle.app" + it.getAttributeNS(android, "name") == cls.name }

    private fun Element.actions(): Set<String> =
        getElementsByTagName("action").let { list -> (0 until list.length).map { (list.item(it) as Element).getAttributeNS(android, "name") }.toSet() }

    @Test
    fun the_unifiedpush_receiver_takes_the_distributors_four_broadcasts() {
        val receiver = component("receiver", UnifiedPushReceiver::class.java)
        assertEquals("true", receiver.getAttributeNS(android, "exported"))
        assertEquals(
            setOf(
                UnifiedPushProtocol.ACTION_NEW_ENDPOINT, UnifiedPushProtocol.ACTION_REGISTRATION_FAILED,
                UnifiedPushProtocol.ACTION_UNREGISTERED, UnifiedPushProtocol.ACTION_MESSAGE,
            ),
            receiver.actions(),
        )
        val queries = manifest.getElementsByTagName("queries").item(0) as Element
        assertTrue(UnifiedPushProtocol.ACTION_REGISTER in queries.actions())
    }

    /** Android 11's package visibility: the map apps, the dialer and viewers are visible; the attachment provider is not exported. */
    @Test
    fun the_map_apps_dialer_and_viewers_are_visible_and_attachments_are_lent_only_by_grant() {
        val queries = manifest.getElementsByTagName("queries").item(0) as Element
        val schemes = queries.getElementsByTagName("data").let { list ->
            (0 until list.length).map { (list.item(it) as Element).getAttributeNS(android, "scheme") }.toSet()
        }
        assertEquals(setOf("amapuri", "baidumap", "qqmap", "geo", "tel", "content"), schemes)
        assertTrue("android.intent.action.DIAL" in queries.actions())
        val provider = component("provider", org.lawcircle.app.files.AttachmentProvider::class.java)
        assertEquals("false", provider.getAttributeNS(android, "exported"))
        assertEquals("true", provider.getAttributeNS(android, "grantUriPermissions"))
        assertEquals("\${applicationId}.attachments", provider.getAttributeNS(android, "authorities"))
        // The camera apps are visible, and write a need's photo only through the capture provider's grant.
        assertTrue("android.media.action.IMAGE_CAPTURE" in queries.actions())
        val capture = component("provider", org.lawcircle.app.photos.CaptureProvider::class.java)
        assertEquals("false", capture.getAttributeNS(android, "exported"))
        assertEquals("true", capture.getAttributeNS(android, "grantUriPermissions"))
        assertEquals("\${applicationId}.captures", capture.getAttributeNS(android, "authorities"))
    }

    @Test
    fun the_duty_service_and_the_sync_job_are_declared_with_their_types_and_permissions() {
        val duty = component("service", DutyService::class.java)
        assertEquals("location|dataSync", duty.getAttributeNS(android, "foregroundServiceType"))
        assertEquals("false", duty.getAttributeNS(android, "exported"))
        val job = component("service", OutboxSyncJob::class.java)
        assertEquals("android.permission.BIND_JOB_SERVICE", job.getAttributeNS(android, "permission"))
        val permissions = elements("uses-permission").map { it.getAttributeNS(android, "name") }.toSet()
        for (
            p in listOf(
                "INTERNET", "ACCESS_NETWORK_STATE", "ACCESS_FINE_LOCATION", "ACCESS_COARSE_LOCATION", "POST_NOTIFICATIONS",
                "FOREGROUND_SERVICE", "FOREGROUND_SERVICE_LOCATION", "FOREGROUND_SERVICE_DATA_SYNC",
            )
        ) {
            assertTrue(p, "android.permission.$p" in permissions)
        }
        // No background location: the service runs while the volunteer started it in front.
        assertFalse("android.permission.ACCESS_BACKGROUND_LOCATION" in permissions)
        assertEquals(AppIntents.MAIN_ACTIVITY, "org.lawcircle.app" + elements("activity").single().getAttributeNS(android, "name"))
    }
}
