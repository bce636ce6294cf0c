package org.lawcircle.app.scan

import android.content.ContentResolver
import android.content.Intent
import android.content.pm.PackageManager
import android.graphics.Bitmap
import android.graphics.BitmapFactory
import android.net.Uri
import android.os.Build
import android.provider.MediaStore
import com.google.zxing.BarcodeFormat
import com.google.zxing.BinaryBitmap
import com.google.zxing.DecodeHintType
import com.google.zxing.LuminanceSource
import com.google.zxing.PlanarYUVLuminanceSource
import com.google.zxing.ReaderException
import com.google.zxing.RGBLuminanceSource
import com.google.zxing.common.HybridBinarizer
import com.google.zxing.qrcode.QRCodeReader
import java.io.IOException
import java.nio.ByteBuffer

/**
 * Reads a station's QR code (`StationCode`, handed to
 * `SignInPresenter.scanned`) without Google Play services, which mainland
 * phones often lack: ZXing's decoder on a picture of the code (a photo
 * taken with the camera app, or one picked from the gallery, e.g. a
 * screenshot the station sent), or an installed scanner app that answers
 * ZXing's `SCAN` intent (Barcode Scanner and its forks) with the text.
 */
object StationCodeScanner {
    /** What a picture gave: the code's text, or why not, in words (Chinese first, as the app's errors). */
    sealed interface Scan {
        data class Text(val text: String) : Scan

        data class Failed(val message: String) : Scan
    }

    /** ZXing's scanner-app intent: the app answers with [EXTRA_SCAN_RESULT]. */
    const val ACTION_SCAN = "com.google.zxing.client.android.SCAN"
    const val EXTRA_SCAN_RESULT = "SCAN_RESULT"

    /** Request codes of the activity results (the framework's `startActivityForResult`). */
    const val REQUEST_SCANNER_APP = 7301
    const val REQUEST_PICTURE = 7302

    /** Pictures are decoded at most this size on the longer edge: a QR code needs far less, memory stays small. */
    const val MAX_EDGE_PX = 1600

    const val NO_CODE = "图片里没有找到二维码，请对准二维码重拍 No QR code found in the picture: take it again, closer and straight on"
    const val UNREADABLE = "无法读取这张图片 The picture could not be read"
    const val CANCELLED = "没有拍照或选图 No picture was taken or chosen"

    /** An installed scanner app's intent, if one answers ZXing's `SCAN` (QR codes only); null without one. */
    fun scannerAppIntent(pm: PackageManager): Intent? {
        val intent = Intent(ACTION_SCAN).putExtra("SCAN_MODE", "QR_CODE_MODE").putExtra("SAVE_HISTORY", false)
        @Suppress("DEPRECATION") // the flags overload is API 33+; the app runs from API 26
        return intent.takeIf { pm.queryIntentActivities(it, 0).isNotEmpty() }
    }

    /** The camera app, for a photo of the code (its small picture in the result: enough for a code held close). */
    fun photoIntent(pm: PackageManager): Intent? {
        val intent = Intent(MediaStore.ACTION_IMAGE_CAPTURE)
        @Suppress("DEPRECATION")
        return intent.takeIf { pm.queryIntentActivities(it, 0).isNotEmpty() }
    }

    /**
     * Without a scanner app: one chooser of the camera app (a photo of the
     * code) and the photo picker or gallery (a picture of it, e.g. a
     * screenshot the station sent). Its answer is read by [fromResult].
     */
    fun pictureIntent(pm: PackageManager, title: String, sdkInt: Int = Build.VERSION.SDK_INT): Intent {
        val pick = if (sdkInt >= Build.VERSION_CODES.TIRAMISU) {
            Intent(MediaStore.ACTION_PICK_IMAGES).setType("image/*")
        } else {
            Intent(Intent.ACTION_GET_CONTENT).setType("image/*").addCategory(Intent.CATEGORY_OPENABLE)
        }
        val chooser = Intent.createChooser(pick, title)
        photoIntent(pm)?.let { chooser.putExtra(Intent.EXTRA_INITIAL_INTENTS, arrayOf(it)) }
        return chooser
    }

    /** The answer to [pictureIntent]: a picked picture's address, or the camera app's picture. */
    fun fromResult(resolver: ContentResolver, data: Intent?): Scan =
        data?.data?.let { fromPicture(resolver, it) } ?: fromPhoto(data)

    /** The text a scanner app answered with. */
    fun fromScannerApp(data: Intent?): Scan =
        data?.getStringExtra(EXTRA_SCAN_RESULT)?.takeIf { it.isNotBlank() }?.let { Scan.Text(it) } ?: Scan.Failed(CANCELLED)

    /** The camera app's picture (`data` extra). */
    fun fromPhoto(data: Intent?): Scan {
        @Suppress("DEPRECATION") // the typed getParcelableExtra is API 33+
        val bitmap = data?.getParcelableExtra<Bitmap>("data") ?: return Scan.Failed(CANCELLED)
        return decode(bitmap)
    }

    /** A picture chosen in the gallery or the photo picker. */
    fun fromPicture(resolver: ContentResolver, uri: Uri?): Scan {
        if (uri == null) return Scan.Failed(CANCELLED)
        return try {
            // The size first, then decoded scaled down to at most MAX_EDGE_PX.
            val bounds = BitmapFactory.Options().apply { inJustDecodeBounds = true }
            // (Decoding only the bounds returns no bitmap: the size is in the options, -1 when it is no picture.)
            val input = resolver.openInputStream(uri) ?: return Scan.Failed(UNREADABLE)
            input.use { BitmapFactory.decodeStream(it, null, bounds) }
            if (bounds.outWidth <= 0 || bounds.outHeight <= 0) return Scan.Failed(UNREADABLE)
            var sample = 1
            while (maxOf(bounds.outWidth, bounds.outHeight) / sample > MAX_EDGE_PX) sample *= 2
            val options = BitmapFactory.Options().apply { inSampleSize = sample }
            val bitmap = resolver.openInputStream(uri)?.use { BitmapFactory.decodeStream(it, null, options) }
                ?: return Scan.Failed(UNREADABLE)
            decode(bitmap)
        } catch (_: IOException) {
            Scan.Failed(UNREADABLE)
        } catch (_: SecurityException) {
            Scan.Failed(UNREADABLE)
        }
    }

    /** ZXing's QR decoder on a picture's pixels. */
    fun decode(bitmap: Bitmap): Scan {
        if (bitmap.width <= 0 || bitmap.height <= 0) return Scan.Failed(UNREADABLE)
        val pixels = IntArray(bitmap.width * bitmap.height)
        bitmap.getPixels(pixels, 0, bitmap.width, 0, 0, bitmap.width, bitmap.height)
        return decode(RGBLuminanceSource(bitmap.width, bitmap.height, pixels), tryHarder = true)?.let { Scan.Text(it) }
            ?: Scan.Failed(NO_CODE)
    }

    /**
     * One live camera frame (Camera2's `ImageReader` in `YUV_420_888`): its
     * luminance plane, [yPlane] with its [rowStride] and [pixelStride] as
     * the `Image.Plane` gives them, [width] × [height] pixels. The code's
     * text, or null when this frame shows none (the preview goes on with
     * the next one). Only the Y plane is read: a QR code is black and white.
     */
    fun decodeFrame(yPlane: ByteBuffer, rowStride: Int, pixelStride: Int, width: Int, height: Int): String? {
        if (width <= 0 || height <= 0 || rowStride < width * pixelStride || pixelStride < 1) return null
        val y = yPlane.duplicate()
        val luminance: ByteArray
        val dataWidth: Int
        if (pixelStride == 1) {
            // The rows as they are, padding included (the last row may stop at its last pixel).
            luminance = ByteArray(rowStride * height)
            y.get(luminance, 0, minOf(y.remaining(), luminance.size))
            dataWidth = rowStride
        } else {
            luminance = ByteArray(width * height)
            for (row in 0 until height) for (col in 0 until width) {
                val at = row * rowStride + col * pixelStride
                if (at < y.limit()) luminance[row * width + col] = y.get(at)
            }
            dataWidth = width
        }
        // A frame is decoded quickly (the next one comes in ~33 ms): no TRY_HARDER.
        return decode(PlanarYUVLuminanceSource(luminance, dataWidth, height, 0, 0, width, height, false), tryHarder = false)
    }

    /** A live frame from Camera2 (`ImageFormat.YUV_420_888`): [decodeFrame] of its first plane. The caller closes the image. */
    fun decodeFrame(image: android.media.Image): String? {
        val plane = image.planes.firstOrNull() ?: return null
        return decodeFrame(plane.buffer, plane.rowStride, plane.pixelStride, image.width, image.height)
    }

    /** ZXing's QR decoder on luminance; null when no code is found or it is damaged. */
    private fun decode(source: LuminanceSource, tryHarder: Boolean): String? {
        val hints = buildMap {
            put(DecodeHintType.POSSIBLE_FORMATS, listOf(BarcodeFormat.QR_CODE))
            put(DecodeHintType.CHARACTER_SET, "UTF-8")
            if (tryHarder) put(DecodeHintType.TRY_HARDER, true)
        }
        return try {
            QRCodeReader().decode(BinaryBitmap(HybridBinarizer(source)), hints).text
        } catch (_: ReaderException) {
            // Not found, or found but damaged (checksum, format): the user takes it again.
            null
        }
    }
}
