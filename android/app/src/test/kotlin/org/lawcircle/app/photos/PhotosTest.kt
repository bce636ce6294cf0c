package org.lawcircle.app.photos

import android.content.Intent
import android.graphics.Bitmap
import android.graphics.BitmapFactory
import android.graphics.Color
import android.media.ExifInterface
import android.provider.MediaStore
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder
import org.junit.runner.RunWith
import org.lawcircle.app.TestApp
import org.robolectric.RobolectricTestRunner
import org.robolectric.annotation.Config
import org.robolectric.annotation.GraphicsMode
import java.io.ByteArrayOutputStream
import java.io.File
import java.io.IOException

/** Real decoding and encoding (Robolectric's native graphics): sizes, orientation, metadata, refusals. */
@RunWith(RobolectricTestRunner::class)
@Config(application = TestApp::class)
@GraphicsMode(GraphicsMode.Mode.NATIVE)
class PhotosTest {
    @get:Rule
    val tmp = TemporaryFolder()

    /** A photo as a camera writes it: a JPEG, the top left quarter red, with EXIF orientation and a GPS fix. */
    private fun cameraJpeg(width: Int, height: Int, orientation: Int): File {
        val bitmap = Bitmap.createBitmap(width, height, Bitmap.Config.ARGB_8888)
        bitmap.eraseColor(Color.WHITE)
        for (x in 0 until width / 2) for (y in 0 until height / 2) bitmap.setPixel(x, y, Color.RED)
        val file = tmp.newFile()
        file.outputStream().use { bitmap.compress(Bitmap.CompressFormat.JPEG, 95, it) }
        ExifInterface(file.path).apply {
            setAttribute(ExifInterface.TAG_ORIENTATION, orientation.toString())
            setAttribute(ExifInterface.TAG_GPS_LATITUDE, "27/1,55/1,0/1")
            setAttribute(ExifInterface.TAG_GPS_LATITUDE_REF, "N")
            setAttribute(ExifInterface.TAG_MAKE, "PhoneMaker")
            saveAttributes()
        }
        return file
    }

    @Test
    fun a_large_photo_is_scaled_to_the_longest_edge_and_loses_its_metadata() {
        val photo = cameraJpeg(4000, 3000, ExifInterface.ORIENTATION_NORMAL)
        assertEquals("27/1,55/1,0/1", ExifInterface(photo.path).getAttribute(ExifInterface.TAG_GPS_LATITUDE))
        val out = File(tmp.root, "page1.jpg")
        val small = Photos.downscale({ photo.inputStream() }, out)
        assertEquals(1600, small.width)
        assertEquals(1200, small.height)
        assertTrue("smaller than the original", small.bytes < photo.length())
        val bounds = BitmapFactory.Options().apply { inJustDecodeBounds = true }
        out.inputStream().use { BitmapFactory.decodeStream(it, null, bounds) }
        assertEquals(1600, bounds.outWidth)
        assertEquals("image/jpeg", bounds.outMimeType)
        val exif = ExifInterface(out.path)
        assertNull("where it was taken is not sent", exif.getAttribute(ExifInterface.TAG_GPS_LATITUDE))
        assertNull(exif.getAttribute(ExifInterface.TAG_MAKE))
        assertFalse("no temporary file left", File(out.path + ".tmp").exists())
    }

    @Test
    fun a_photo_taken_sideways_is_turned_upright() {
        // Stored landscape, shown portrait: EXIF says rotate 90° clockwise.
        val photo = cameraJpeg(2000, 1000, ExifInterface.ORIENTATION_ROTATE_90)
        val out = File(tmp.root, "upright.jpg")
        val small = Photos.downscale({ photo.inputStream() }, out, maxEdge = 800)
        assertEquals(400, small.width)
        assertEquals(800, small.height)
        // The red quarter was top left; turned 90° clockwise it is top right.
        val pixels = out.inputStream().use { BitmapFactory.decodeStream(it) }
        assertEquals(Color.RED, nearest(pixels.getPixel(300, 100)))
        assertEquals(Color.WHITE, nearest(pixels.getPixel(100, 100)))
    }

    @Test
    fun a_small_photo_keeps_its_size_and_bytes_in_memory_work_too() {
        val bitmap = Bitmap.createBitmap(640, 480, Bitmap.Config.ARGB_8888).apply { eraseColor(Color.BLUE) }
        val bytes = ByteArrayOutputStream().also { bitmap.compress(Bitmap.CompressFormat.PNG, 100, it) }.toByteArray()
        val small = Photos.downscale(bytes, File(tmp.root, "small.jpg"))
        assertEquals(640, small.width)
        assertEquals(480, small.height)
    }

    @Test
    fun what_is_not_an_image_is_refused_and_nothing_is_written() {
        val out = File(tmp.root, "never.jpg")
        try {
            Photos.downscale("%PDF-1.7 not a photo".toByteArray(), out)
            fail("a PDF is not decoded as a photo")
        } catch (e: IOException) {
            assertTrue(e.message!!.contains("not an image"))
        }
        assertFalse(out.exists())
    }

    @Test
    fun the_picker_is_the_system_photo_picker_with_the_attachment_limit() {
        val pick = Photos.pickIntent()
        assertEquals(MediaStore.ACTION_PICK_IMAGES, pick.action)
        assertEquals("image/*", pick.type)
        assertEquals(Photos.MAX_PICK, pick.getIntExtra(MediaStore.EXTRA_PICK_IMAGES_MAX, 0))
        assertFalse(Photos.pickIntent(1).hasExtra(MediaStore.EXTRA_PICK_IMAGES_MAX))
    }

    @Test
    fun before_android_13_the_document_chooser_for_images() {
        val pick = Photos.pickIntent(sdkInt = 32)
        assertEquals(Intent.ACTION_GET_CONTENT, pick.action)
        assertTrue(pick.hasCategory(Intent.CATEGORY_OPENABLE))
        assertTrue(pick.getBooleanExtra(Intent.EXTRA_ALLOW_MULTIPLE, false))
    }

    /** JPEG blurs colours: the nearer of red and white. */
    private fun nearest(argb: Int): Int = if (Color.green(argb) < 128) Color.RED else Color.WHITE
}
