package org.lawcircle.app.scan

import android.content.Intent
import android.content.pm.ActivityInfo
import android.content.pm.ResolveInfo
import android.graphics.Bitmap
import android.graphics.Color
import android.net.Uri
import com.google.zxing.BarcodeFormat
import com.google.zxing.EncodeHintType
import com.google.zxing.qrcode.QRCodeWriter
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Test
import org.junit.runner.RunWith
import org.lawcircle.app.TestApp
import org.lawcircle.phone.SignInPresenter
import org.lawcircle.phone.StationCode
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config
import org.robolectric.annotation.GraphicsMode
import java.io.File
import java.nio.ByteBuffer

/** The station code read from pictures with ZXing: a code the test makes with ZXing's encoder, a blank picture, other codes. */
@RunWith(RobolectricTestRunner::class)
@Config(application = TestApp::class)
@GraphicsMode(GraphicsMode.Mode.NATIVE)
class StationCodeScannerTest {
    private val app get() = RuntimeEnvironment.getApplication() as TestApp

    /** [text] as a QR code, [size] pixels square, on a white margin, as a phone photographs a printed one. */
    private fun qr(text: String, size: Int = 360): Bitmap {
        val matrix = QRCodeWriter().encode(text, BarcodeFormat.QR_CODE, size, size, mapOf(EncodeHintType.CHARACTER_SET to "UTF-8"))
        val pixels = IntArray(size * size) { i -> if (matrix.get(i % size, i / size)) Color.BLACK else Color.WHITE }
        return Bitmap.createBitmap(size, size, Bitmap.Config.ARGB_8888).apply { setPixels(pixels, 0, size, 0, 0, size, size) }
    }

    private val station = "lawcircle://connect?server=https%3A%2F%2Flongwan.lawcircle.example.cn"

    /**
     * A live camera frame's Y plane (YUV_420_888 as Camera2's ImageReader
     * gives it): [width] × [height] luminance, rows [rowStride] bytes apart
     * (padding as a camera pads them), the code drawn at ([left], [top]) on
     * a grey background, the last row ending at its last pixel.
     */
    private fun frame(text: String?, width: Int, height: Int, rowStride: Int, left: Int = 0, top: Int = 0, size: Int = 240, pixelStride: Int = 1): ByteBuffer {
        val bytes = ByteArray(rowStride * (height - 1) + (width - 1) * pixelStride + 1) { 0x77 }
        if (text != null) {
            val matrix = QRCodeWriter().encode(text, BarcodeFormat.QR_CODE, size, size, mapOf(EncodeHintType.CHARACTER_SET to "UTF-8"))
            for (y in 0 until size) for (x in 0 until size) {
                bytes[(top + y) * rowStride + (left + x) * pixelStride] = if (matrix.get(x, y)) 0x10 else 0xF0.toByte()
            }
        }
        return ByteBuffer.wrap(bytes)
    }

    @Test
    fun a_live_frames_luminance_plane_is_decoded() {
        // 640×480 with rows padded to 704 bytes, the code off-centre.
        val y = frame(station, 640, 480, rowStride = 704, left = 300, top = 150)
        assertEquals(station, StationCodeScanner.decodeFrame(y, 704, 1, 640, 480))
        assertEquals("the buffer is read, not consumed", 0, y.position())
        // Unpadded rows, and a plane whose pixels are two bytes apart.
        assertEquals(station, StationCodeScanner.decodeFrame(frame(station, 320, 240, rowStride = 320, left = 40), 320, 1, 320, 240))
        assertEquals(station, StationCodeScanner.decodeFrame(frame(station, 320, 240, rowStride = 640, pixelStride = 2), 640, 2, 320, 240))
        // A frame without a code, or a code cut by the frame's edge, gives nothing: the next frame is tried.
        assertNull(StationCodeScanner.decodeFrame(frame(null, 640, 480, rowStride = 640), 640, 1, 640, 480))
        assertNull(StationCodeScanner.decodeFrame(frame(station, 640, 480, rowStride = 640, left = 0, top = 0), 640, 1, 120, 120))
        // Nonsense sizes are no frame.
        assertNull(StationCodeScanner.decodeFrame(frame(null, 64, 48, rowStride = 64), 32, 1, 64, 48))
        assertNull(StationCodeScanner.decodeFrame(ByteBuffer.allocate(0), 0, 1, 0, 0))
    }

    @Test
    fun a_station_code_in_a_picture_gives_the_server_address() {
        val scan = StationCodeScanner.decode(qr(station))
        assertEquals(StationCodeScanner.Scan.Text(station), scan)
        val text = (scan as StationCodeScanner.Scan.Text).text
        assertEquals(StationCode.Parsed.Server("https://longwan.lawcircle.example.cn"), StationCode.parse(text))
        assertEquals("https://longwan.lawcircle.example.cn", SignInPresenter.serverAddressFromQr(text))
    }

    @Test
    fun a_picture_without_a_code_is_said_in_words_and_another_code_is_refused_by_the_parser() {
        val blank = Bitmap.createBitmap(300, 300, Bitmap.Config.ARGB_8888).apply { eraseColor(Color.WHITE) }
        assertEquals(StationCodeScanner.Scan.Failed(StationCodeScanner.NO_CODE), StationCodeScanner.decode(blank))
        // Half the code covered: not read, not guessed.
        val torn = qr(station).copy(Bitmap.Config.ARGB_8888, true).apply {
            val white = IntArray(width * height / 2) { Color.WHITE }
            setPixels(white, 0, width, 0, 0, width, height / 2)
        }
        assertEquals(StationCodeScanner.Scan.Failed(StationCodeScanner.NO_CODE), StationCodeScanner.decode(torn))
        // A shop's payment code reads fine, and is not a station code.
        val other = StationCodeScanner.decode(qr("https://pay.example.com/?id=42"))
        assertEquals(StationCodeScanner.Scan.Text("https://pay.example.com/?id=42"), other)
        assertNull(SignInPresenter.serverAddressFromQr("https://pay.example.com/?id=42"))
    }

    @Test
    fun a_large_picture_from_the_gallery_is_scaled_down_and_read() {
        // A 3200 px photo with the code in its middle, saved as the gallery would keep it.
        val photo = Bitmap.createBitmap(3200, 2400, Bitmap.Config.ARGB_8888).apply { eraseColor(Color.WHITE) }
        val code = qr(station, 1200)
        val pixels = IntArray(1200 * 1200)
        code.getPixels(pixels, 0, 1200, 0, 0, 1200, 1200)
        photo.setPixels(pixels, 0, 1200, 1000, 600, 1200, 1200)
        val file = File(app.cacheDir, "code.png")
        file.outputStream().use { photo.compress(Bitmap.CompressFormat.PNG, 100, it) }
        // The photo picker's answer: a content URI the resolver opens (twice: the size, then the pixels).
        val picked = Uri.parse("content://media/picker/0/com.android.providers.media.photopicker/media/1000")
        shadowOf(app.contentResolver).registerInputStreamSupplier(picked) { file.inputStream() }
        assertEquals(StationCodeScanner.Scan.Text(station), StationCodeScanner.fromPicture(app.contentResolver, picked))
        // The same through the chooser's answer (a picked picture comes as the result's address).
        assertEquals(StationCodeScanner.Scan.Text(station), StationCodeScanner.fromResult(app.contentResolver, Intent().setData(picked)))
        // Nothing picked, or a file that is not a picture.
        assertEquals(StationCodeScanner.Scan.Failed(StationCodeScanner.CANCELLED), StationCodeScanner.fromPicture(app.contentResolver, null))
        val junk = Uri.parse("content://media/picker/0/com.android.providers.media.photopicker/media/1001")
        shadowOf(app.contentResolver).registerInputStreamSupplier(junk) { "not a picture".byteInputStream() }
        assertEquals(StationCodeScanner.Scan.Failed(StationCodeScanner.UNREADABLE), StationCodeScanner.fromPicture(app.contentResolver, junk))
    }

    @Test
    fun the_camera_apps_picture_and_a_scanner_apps_answer_are_read() {
        assertEquals(
            StationCodeScanner.Scan.Text(station),
            StationCodeScanner.fromPhoto(Intent().putExtra("data", qr(station, 240))),
        )
        assertEquals(StationCodeScanner.Scan.Failed(StationCodeScanner.CANCELLED), StationCodeScanner.fromPhoto(null))
        assertEquals(
            StationCodeScanner.Scan.Text(station),
            StationCodeScanner.fromResult(app.contentResolver, Intent().putExtra("data", qr(station, 240))),
        )
        assertEquals(StationCodeScanner.Scan.Failed(StationCodeScanner.CANCELLED), StationCodeScanner.fromResult(app.contentResolver, null))
        assertEquals(
            StationCodeScanner.Scan.Text(station),
            StationCodeScanner.fromScannerApp(Intent().putExtra(StationCodeScanner.EXTRA_SCAN_RESULT, station)),
        )
        assertEquals(StationCodeScanner.Scan.Failed(StationCodeScanner.CANCELLED), StationCodeScanner.fromScannerApp(Intent()))
    }

    @Suppress("DEPRECATION") // the typed getParcelable*Extra are API 33+
    @Test
    fun without_a_scanner_app_the_chooser_offers_the_picker_and_the_camera_app_when_there_is_one() {
        val chooser = StationCodeScanner.pictureIntent(app.packageManager, "扫描二维码", sdkInt = 35)
        assertEquals(Intent.ACTION_CHOOSER, chooser.action)
        val target = chooser.getParcelableExtra<Intent>(Intent.EXTRA_INTENT)
        assertEquals(android.provider.MediaStore.ACTION_PICK_IMAGES, target?.action)
        assertNull("no camera app installed", chooser.getParcelableArrayExtra(Intent.EXTRA_INITIAL_INTENTS))
        assertEquals(Intent.ACTION_GET_CONTENT, StationCodeScanner.pictureIntent(app.packageManager, "t", sdkInt = 28).getParcelableExtra<Intent>(Intent.EXTRA_INTENT)?.action)
        val camera = ResolveInfo().apply {
            activityInfo = ActivityInfo().apply {
                packageName = "com.android.camera"
                name = "com.android.camera.Camera"
            }
        }
        @Suppress("DEPRECATION")
        shadowOf(app.packageManager).addResolveInfoForIntent(Intent(android.provider.MediaStore.ACTION_IMAGE_CAPTURE), camera)
        val withCamera = StationCodeScanner.pictureIntent(app.packageManager, "t", sdkInt = 35)
        assertEquals(1, withCamera.getParcelableArrayExtra(Intent.EXTRA_INITIAL_INTENTS)?.size)
    }

    @Test
    fun a_scanner_app_is_offered_only_when_one_is_installed() {
        assertNull(StationCodeScanner.scannerAppIntent(app.packageManager))
        val info = ResolveInfo().apply {
            activityInfo = ActivityInfo().apply {
                packageName = "com.google.zxing.client.android"
                name = "com.google.zxing.client.android.CaptureActivity"
            }
        }
        @Suppress("DEPRECATION")
        shadowOf(app.packageManager).addResolveInfoForIntent(Intent(StationCodeScanner.ACTION_SCAN), info)
        val intent = StationCodeScanner.scannerAppIntent(app.packageManager)
        assertNotNull(intent)
        assertEquals("QR_CODE_MODE", intent?.getStringExtra("SCAN_MODE"))
    }
}
