package org.lawcircle.app.files

import android.content.ComponentName
import android.content.Intent
import android.content.IntentFilter
import android.net.Uri
import android.provider.OpenableColumns
import org.junit.Assert.assertArrayEquals
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Before
import org.junit.Test
import org.junit.runner.RunWith
import org.lawcircle.app.TestApp
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config
import java.io.File
import java.io.FileNotFoundException

/** "Open" on a downloaded attachment: a read-only content URI for a viewer app, and nothing outside the attachment folder. */
@RunWith(RobolectricTestRunner::class)
@Config(application = TestApp::class)
class AttachmentProviderTest {
    private val app get() = RuntimeEnvironment.getApplication()
    private val png = byteArrayOf(0x89.toByte(), 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52)
    private lateinit var photo: File

    @Before
    fun setUp() {
        Robolectric.setupContentProvider(AttachmentProvider::class.java, AttachmentProvider.authority(app))
        photo = File(AttachmentProvider.folder(app).apply { mkdirs() }, "attachment-42").apply { writeBytes(png) }
    }

    private fun installViewer(type: String) {
        val pm = shadowOf(app.packageManager)
        val component = ComponentName("org.example.viewer", "Viewer")
        pm.addActivityIfNotPresent(component)
        pm.addIntentFilterForActivity(
            component,
            IntentFilter(Intent.ACTION_VIEW).apply {
                addCategory(Intent.CATEGORY_DEFAULT)
                addDataScheme("content")
                addDataType(type)
            },
        )
    }

    @Test
    fun a_viewer_gets_the_file_read_only_through_a_grant() {
        assertNull("no viewer for images installed", AttachmentProvider.viewIntent(app, photo, "image/png"))
        installViewer("image/*")
        val intent = AttachmentProvider.viewIntent(app, photo, "image/png")!!
        assertEquals(Intent.ACTION_VIEW, intent.action)
        assertEquals("image/png", intent.type)
        assertEquals("content://${app.packageName}.attachments/attachment-42", intent.data.toString())
        assertTrue(intent.flags and Intent.FLAG_GRANT_READ_URI_PERMISSION != 0)
        assertTrue("never a write grant", intent.flags and Intent.FLAG_GRANT_WRITE_URI_PERMISSION == 0)
        val resolver = app.contentResolver
        assertArrayEquals(png, resolver.openInputStream(intent.data!!)!!.use { it.readBytes() })
        assertEquals("image/png", resolver.getType(intent.data!!))
        resolver.query(intent.data!!, null, null, null, null)!!.use { c ->
            assertTrue(c.moveToFirst())
            assertEquals("attachment-42", c.getString(c.getColumnIndexOrThrow(OpenableColumns.DISPLAY_NAME)))
            assertEquals(png.size.toLong(), c.getLong(c.getColumnIndexOrThrow(OpenableColumns.SIZE)))
        }
    }

    @Test
    fun writing_and_files_outside_the_folder_are_refused() {
        val uri = AttachmentProvider.uriFor(app, photo)!!
        try {
            app.contentResolver.openOutputStream(uri)!!.close()
            fail("a write was allowed")
        } catch (e: SecurityException) {
            // read-only
        }
        val secret = File(app.filesDir, "secret.txt").apply { writeText("private") }
        assertNull("a file outside the folder has no URI", AttachmentProvider.uriFor(app, secret))
        assertNull(AttachmentProvider.viewIntent(app, secret, "text/plain"))
        val authority = AttachmentProvider.authority(app)
        val sneaky = listOf(
            Uri.parse("content://$authority/..%2F..%2Ffiles%2Fsecret.txt"),
            Uri.parse("content://$authority/../../files/secret.txt"),
            Uri.parse("content://$authority/nested/attachment-42"),
            Uri.parse("content://$authority/missing"),
        )
        for (u in sneaky) {
            try {
                app.contentResolver.openInputStream(u)!!.close()
                fail("$u was served")
            } catch (e: FileNotFoundException) {
                // not an attachment
            }
        }
    }
}
