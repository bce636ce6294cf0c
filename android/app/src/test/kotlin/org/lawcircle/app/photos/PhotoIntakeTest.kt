package org.lawcircle.app.photos

import android.app.Activity
import android.content.ClipData
import android.content.ComponentName
import android.content.ContentProvider
import android.content.ContentValues
import android.content.Intent
import android.content.IntentFilter
import android.database.Cursor
import android.graphics.Bitmap
import android.graphics.BitmapFactory
import android.graphics.Color
import android.net.Uri
import android.os.ParcelFileDescriptor
import android.provider.MediaStore
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Before
import org.junit.Test
import org.junit.runner.RunWith
import org.lawcircle.app.TestApp
import org.lawcircle.ffi.ClientConfig
import org.lawcircle.ffi.Credentials
import org.lawcircle.ffi.LawCircleClient
import org.lawcircle.phone.NewNeedPresenter
import org.lawcircle.phone.OkHttpTransport
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config
import org.robolectric.annotation.GraphicsMode
import java.io.File
import java.io.FileNotFoundException
import java.nio.file.Files

/** A gallery app's provider: the picker's URIs name its files (read-only); a name it lacks is not found. */
class GalleryProvider : ContentProvider() {
    override fun onCreate() = true

    override fun query(
        uri: Uri,
        projection: Array<out String>?,
        selection: String?,
        selectionArgs: Array<out String>?,
        sortOrder: String?,
    ): Cursor? = null

    override fun getType(uri: Uri) = "image/jpeg"

    override fun openFile(uri: Uri, mode: String): ParcelFileDescriptor {
        val file = File(folder, uri.lastPathSegment ?: "")
        if (!file.isFile) throw FileNotFoundException("$uri")
        return ParcelFileDescriptor.open(file, ParcelFileDescriptor.MODE_READ_ONLY)
    }

    override fun insert(uri: Uri, values: ContentValues?): Uri? = null

    override fun update(uri: Uri, values: ContentValues?, selection: String?, selectionArgs: Array<out String>?) = 0

    override fun delete(uri: Uri, selection: String?, selectionArgs: Array<out String>?) = 0

    companion object {
        const val AUTHORITY = "org.example.gallery"
        lateinit var folder: File
    }
}

/**
 * The need form's photos through the real activity results: the picker's
 * URIs and the camera app's capture become downscaled files in the app's
 * folder, attached to the real form presenter (offline client); a
 * cancelled result changes nothing; a URI that cannot be read, or a file
 * that is not a picture, is said in words and leaves nothing behind.
 */
@RunWith(RobolectricTestRunner::class)
@Config(application = TestApp::class)
@GraphicsMode(GraphicsMode.Mode.NATIVE)
class PhotoIntakeTest {
    private val app get() = RuntimeEnvironment.getApplication()
    private lateinit var dir: File
    private lateinit var client: LawCircleClient
    private lateinit var form: NewNeedPresenter
    private val intake get() = PhotoIntake(app)

    @Before
    fun setUp() {
        dir = Files.createTempDirectory("lawcircle-photos").toFile()
        GalleryProvider.folder = File(dir, "gallery").apply { mkdirs() }
        Robolectric.setupContentProvider(GalleryProvider::class.java, GalleryProvider.AUTHORITY)
        Robolectric.setupContentProvider(CaptureProvider::class.java, CaptureProvider.authority(app))
        client = LawCircleClient.open(
            ClientConfig(File(dir, "phone.sqlite").path, "http://127.0.0.1:9", Credentials("lawyer", "x")),
            OkHttpTransport(),
        )
        form = NewNeedPresenter(client, CoroutineScope(Dispatchers.Unconfined))
    }

    @After
    fun tearDown() {
        form.close()
        client.close()
        dir.deleteRecursively()
    }

    /** A camera-sized JPEG, as a phone's gallery holds it. */
    private fun jpeg(width: Int, height: Int): ByteArray {
        val bitmap = Bitmap.createBitmap(width, height, Bitmap.Config.ARGB_8888).apply { eraseColor(Color.WHITE) }
        return java.io.ByteArrayOutputStream().also { bitmap.compress(Bitmap.CompressFormat.JPEG, 90, it) }.toByteArray()
    }

    private fun galleryUri(name: String, bytes: ByteArray? = null): Uri {
        bytes?.let { File(GalleryProvider.folder, name).writeBytes(it) }
        return Uri.parse("content://${GalleryProvider.AUTHORITY}/$name")
    }

    private fun photos(): List<File> = PhotoIntake.folder(app).listFiles()?.toList().orEmpty()

    private fun longestEdge(file: File): Int {
        val o = BitmapFactory.Options().apply { inJustDecodeBounds = true }
        file.inputStream().use { BitmapFactory.decodeStream(it, null, o) }
        return maxOf(o.outWidth, o.outHeight)
    }

    @Test
    fun the_picker_asks_without_a_storage_permission() {
        assertEquals(MediaStore.ACTION_PICK_IMAGES, intake.pickIntent(sdkInt = 33).action)
        assertEquals(Intent.ACTION_GET_CONTENT, intake.pickIntent(sdkInt = 32).action)
    }

    @Test
    fun two_picked_photos_become_downscaled_files_attached_to_the_form() {
        val result = Intent().apply {
            clipData = ClipData.newRawUri("", galleryUri("a.jpg", jpeg(4000, 3000))).apply {
                addItem(ClipData.Item(galleryUri("b.jpg", jpeg(1200, 900))))
            }
        }
        val outcome = intake.onResult(PhotoIntake.REQUEST_PICK, Activity.RESULT_OK, result)
        val attached = outcome as PhotoIntake.Outcome.Attached
        assertEquals(listOf(1600, 1200), attached.photos.map { longestEdge(it.file) })
        assertTrue(attached.photos.all { it.file.parentFile == PhotoIntake.folder(app) })
        assertNull(outcome.attachTo(form))
        val shown = form.state.value.attachments
        assertEquals(attached.photos.map { it.file.name }, shown.map { it.name })
        assertEquals(attached.photos.map { it.file.length() }, shown.map { it.sizeBytes })
        // One picked photo comes back as the intent's data.
        val one = intake.onResult(PhotoIntake.REQUEST_PICK, Activity.RESULT_OK, Intent().setData(galleryUri("b.jpg")))
        assertEquals(1, (one as PhotoIntake.Outcome.Attached).photos.size)
    }

    @Test
    fun a_cancelled_pick_or_capture_changes_nothing() {
        assertEquals(PhotoIntake.Outcome.Cancelled, intake.onResult(PhotoIntake.REQUEST_PICK, Activity.RESULT_CANCELED, null))
        installCamera()
        assertNotNull(intake.captureIntent())
        // The camera app opened the file, then the user backed out.
        app.contentResolver.openOutputStream(CaptureProvider.pendingUri(app))!!.use { it.write(ByteArray(0)) }
        val outcome = intake.onResult(PhotoIntake.REQUEST_CAPTURE, Activity.RESULT_CANCELED, null)
        assertEquals(PhotoIntake.Outcome.Cancelled, outcome)
        assertNull(outcome.attachTo(form))
        assertTrue(form.state.value.attachments.isEmpty())
        assertTrue(photos().isEmpty())
        assertFalse("the pending capture is dropped", CaptureProvider.pending(app).exists())
        assertEquals(PhotoIntake.Outcome.NotMine, intake.onResult(4242, Activity.RESULT_OK, null))
    }

    @Test
    fun an_unreadable_uri_or_a_file_that_is_not_a_picture_is_said_in_words() {
        val missing = intake.onResult(PhotoIntake.REQUEST_PICK, Activity.RESULT_OK, Intent().setData(galleryUri("gone.jpg")))
        assertEquals(PhotoIntake.Outcome.Failed(PhotoIntake.UNREADABLE), missing)
        assertEquals(PhotoIntake.UNREADABLE, missing.attachTo(form))
        val text = galleryUri("notes.jpg", "not a picture".toByteArray())
        assertEquals(
            PhotoIntake.Outcome.Failed(PhotoIntake.NOT_AN_IMAGE),
            intake.onResult(PhotoIntake.REQUEST_PICK, Activity.RESULT_OK, Intent().setData(text)),
        )
        assertEquals(
            PhotoIntake.Outcome.Failed(PhotoIntake.NO_PICTURE),
            intake.onResult(PhotoIntake.REQUEST_PICK, Activity.RESULT_OK, Intent()),
        )
        // A good photo then a bad one: the good one is kept and attached, the bad one said.
        val mixed = Intent().apply {
            clipData = ClipData.newRawUri("", galleryUri("ok.jpg", jpeg(800, 600))).apply { addItem(ClipData.Item(galleryUri("gone.jpg"))) }
        }
        val partly = intake.onResult(PhotoIntake.REQUEST_PICK, Activity.RESULT_OK, mixed) as PhotoIntake.Outcome.Failed
        assertEquals(PhotoIntake.UNREADABLE, partly.attachTo(form))
        assertEquals(1, form.state.value.attachments.size)
        assertEquals(1, photos().size)
    }

    private fun installCamera() {
        val pm = shadowOf(app.packageManager)
        val camera = ComponentName("org.example.camera", "Capture")
        pm.addActivityIfNotPresent(camera)
        pm.addIntentFilterForActivity(camera, IntentFilter(MediaStore.ACTION_IMAGE_CAPTURE).apply { addCategory(Intent.CATEGORY_DEFAULT) })
    }

    @Test
    fun the_camera_writes_through_a_grant_and_its_photo_is_downscaled_and_attached() {
        assertNull("no camera app: no capture offered", intake.captureIntent())
        installCamera()
        val intent = intake.captureIntent() ?: throw AssertionError("no capture intent with a camera app installed")
        val uri = CaptureProvider.pendingUri(app)
        @Suppress("DEPRECATION")
        assertEquals(uri, intent.getParcelableExtra<Uri>(MediaStore.EXTRA_OUTPUT))
        assertEquals(uri, intent.clipData?.getItemAt(0)?.uri)
        assertTrue(intent.flags and Intent.FLAG_GRANT_WRITE_URI_PERMISSION != 0)
        // The camera app writes the full-size photo through the URI.
        app.contentResolver.openOutputStream(uri)!!.use { it.write(jpeg(3000, 4000)) }
        assertTrue(CaptureProvider.pending(app).length() > 0)
        val outcome = intake.onResult(PhotoIntake.REQUEST_CAPTURE, Activity.RESULT_OK, null)
        val photo = (outcome as PhotoIntake.Outcome.Attached).photos.single()
        assertEquals(1200, photo.width)
        assertEquals(1600, photo.height)
        assertEquals(1600, longestEdge(photo.file))
        assertFalse("the capture is not kept twice", CaptureProvider.pending(app).exists())
        assertNull(outcome.attachTo(form))
        assertEquals(listOf(photo.file.name), form.state.value.attachments.map { it.name })
        // The camera app said "done" but wrote nothing.
        assertNotNull(intake.captureIntent())
        assertEquals(PhotoIntake.Outcome.Failed(PhotoIntake.NO_CAPTURE), intake.onResult(PhotoIntake.REQUEST_CAPTURE, Activity.RESULT_OK, null))
    }

    @Test
    fun one_chooser_offers_the_picker_and_the_camera_and_its_answer_is_told_apart() {
        installCamera()
        val chooser = intake.photoIntent("添加照片", sdkInt = 34)
        assertEquals(Intent.ACTION_CHOOSER, chooser.action)
        @Suppress("DEPRECATION")
        val inner = chooser.getParcelableExtra<Intent>(Intent.EXTRA_INTENT)
        assertEquals(MediaStore.ACTION_PICK_IMAGES, inner?.action)
        @Suppress("DEPRECATION")
        val initial = chooser.getParcelableArrayExtra(Intent.EXTRA_INITIAL_INTENTS)?.map { it as Intent }
        assertEquals(listOf(MediaStore.ACTION_IMAGE_CAPTURE), initial?.map { it.action })
        // The picker answered.
        val picked = intake.onResult(PhotoIntake.REQUEST_PHOTO, Activity.RESULT_OK, Intent().setData(galleryUri("p.jpg", jpeg(640, 480))))
        assertEquals(1, (picked as PhotoIntake.Outcome.Attached).photos.size)
        // The camera answered (with its output URI as the data, as some do).
        app.contentResolver.openOutputStream(CaptureProvider.pendingUri(app))!!.use { it.write(jpeg(2000, 1000)) }
        val captured = intake.onResult(PhotoIntake.REQUEST_PHOTO, Activity.RESULT_OK, Intent().setData(CaptureProvider.pendingUri(app)))
        assertEquals(1600, (captured as PhotoIntake.Outcome.Attached).photos.single().width)
        assertFalse(CaptureProvider.pending(app).exists())
        assertEquals(PhotoIntake.Outcome.Cancelled, intake.onResult(PhotoIntake.REQUEST_PHOTO, Activity.RESULT_CANCELED, null))
        assertEquals(2, photos().size)
    }

    @Test
    fun the_capture_provider_serves_only_the_pending_file() {
        val resolver = app.contentResolver
        for (path in listOf("other.jpg", "../phone.sqlite", "a/pending.jpg")) {
            val uri = Uri.parse("content://${CaptureProvider.authority(app)}/$path")
            try {
                resolver.openOutputStream(uri)!!.close()
                throw AssertionError("$path was opened")
            } catch (_: FileNotFoundException) {
            }
        }
    }
}
