package org.lawcircle.app.photos

import android.content.Intent
import android.graphics.Bitmap
import android.graphics.BitmapFactory
import android.graphics.Matrix
import android.media.ExifInterface
import android.os.Build
import android.provider.MediaStore
import java.io.ByteArrayInputStream
import java.io.File
import java.io.IOException
import java.io.InputStream

/**
 * Photos of documents attached to a need: picked from the system photo
 * picker (no storage permission) or taken with the camera, then downscaled
 * and re-encoded before they are queued, so the outbox holds a few hundred
 * kilobytes per page instead of a 12-megapixel original and a poor
 * connection can still send it. Re-encoding also drops the original's
 * metadata (EXIF: where and when it was taken, the phone's make); the
 * orientation is applied to the pixels first so the page stays upright.
 */
object Photos {
    /** The longest edge kept: a printed A4 page stays legible at this size. */
    const val MAX_EDGE_PX = 1600

    /** JPEG quality of the queued copy. */
    const val JPEG_QUALITY = 82

    /** How many photos one pick may return (a need's attachment limit). */
    const val MAX_PICK = 5

    /**
     * The system photo picker (Android 13+, and older phones through the
     * Play system update that backports it); on a phone without it, the
     * document chooser for images. Neither needs a storage permission.
     */
    fun pickIntent(max: Int = MAX_PICK, sdkInt: Int = Build.VERSION.SDK_INT): Intent =
        if (sdkInt >= Build.VERSION_CODES.TIRAMISU) {
            Intent(MediaStore.ACTION_PICK_IMAGES).apply {
                type = "image/*"
                if (max > 1) putExtra(MediaStore.EXTRA_PICK_IMAGES_MAX, max)
            }
        } else {
            Intent(Intent.ACTION_GET_CONTENT).apply {
                type = "image/*"
                addCategory(Intent.CATEGORY_OPENABLE)
                putExtra(Intent.EXTRA_ALLOW_MULTIPLE, max > 1)
            }
        }

    /** What a downscaled photo is. */
    data class Downscaled(val file: File, val width: Int, val height: Int, val bytes: Long)

    /**
     * Reads the image `open()` gives (twice: once for its size, once for
     * its pixels), turns it upright, scales its longest edge to at most
     * [maxEdge] and writes it as a JPEG without metadata to `out`.
     * Throws [IOException] with the reason when it is not an image the
     * phone can decode; nothing is written then.
     */
    fun downscale(open: () -> InputStream, out: File, maxEdge: Int = MAX_EDGE_PX): Downscaled {
        require(maxEdge > 0) { "maxEdge must be positive" }
        val bounds = BitmapFactory.Options().apply { inJustDecodeBounds = true }
        open().use { BitmapFactory.decodeStream(it, null, bounds) }
        if (bounds.outWidth <= 0 || bounds.outHeight <= 0) throw IOException("not an image the phone can read")
        // Decode at a power-of-two reduction first: a 12 MP photo never
        // needs 48 MB of pixels in memory to become a 1600-pixel one.
        var sample = 1
        while (maxOf(bounds.outWidth, bounds.outHeight) / (sample * 2) >= maxEdge) sample *= 2
        val orientation = open().use { orientationOf(it) }
        val decoded = open().use {
            BitmapFactory.decodeStream(it, null, BitmapFactory.Options().apply { inSampleSize = sample })
        } ?: throw IOException("not an image the phone can read")
        val upright = transformed(decoded, orientation, maxEdge)
        try {
            val tmp = File(out.path + ".tmp")
            val written = tmp.outputStream().use { upright.compress(Bitmap.CompressFormat.JPEG, JPEG_QUALITY, it) }
            if (!written || !tmp.renameTo(out)) {
                tmp.delete()
                throw IOException("could not write ${out.name}")
            }
            return Downscaled(out, upright.width, upright.height, out.length())
        } finally {
            if (upright !== decoded) upright.recycle()
            decoded.recycle()
        }
    }

    /** [downscale] of bytes already in memory (a camera capture). */
    fun downscale(bytes: ByteArray, out: File, maxEdge: Int = MAX_EDGE_PX): Downscaled =
        downscale({ ByteArrayInputStream(bytes) }, out, maxEdge)

    private fun orientationOf(input: InputStream): Int =
        try {
            ExifInterface(input).getAttributeInt(ExifInterface.TAG_ORIENTATION, ExifInterface.ORIENTATION_NORMAL)
        } catch (e: IOException) {
            ExifInterface.ORIENTATION_NORMAL
        }

    /** The bitmap turned upright and scaled so its longest edge is at most `maxEdge`. */
    private fun transformed(bitmap: Bitmap, orientation: Int, maxEdge: Int): Bitmap {
        val m = Matrix()
        when (orientation) {
            ExifInterface.ORIENTATION_ROTATE_90 -> m.postRotate(90f)
            ExifInterface.ORIENTATION_ROTATE_180 -> m.postRotate(180f)
            ExifInterface.ORIENTATION_ROTATE_270 -> m.postRotate(270f)
            ExifInterface.ORIENTATION_FLIP_HORIZONTAL -> m.postScale(-1f, 1f)
            ExifInterface.ORIENTATION_FLIP_VERTICAL -> m.postScale(1f, -1f)
            ExifInterface.ORIENTATION_TRANSPOSE -> {
                m.postRotate(90f)
                m.postScale(-1f, 1f)
            }
            ExifInterface.ORIENTATION_TRANSVERSE -> {
                m.postRotate(270f)
                m.postScale(-1f, 1f)
            }
        }
        val longest = maxOf(bitmap.width, bitmap.height)
        if (longest > maxEdge) {
            val scale = maxEdge.toFloat() / longest
            m.postScale(scale, scale)
        }
        if (m.isIdentity) return bitmap
        return Bitmap.createBitmap(bitmap, 0, 0, bitmap.width, bitmap.height, m, true)
    }
}
