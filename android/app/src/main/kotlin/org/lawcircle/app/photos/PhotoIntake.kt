package org.lawcircle.app.photos

import android.app.Activity
import android.content.ClipData
import android.content.Context
import android.content.Intent
import android.net.Uri
import android.os.Build
import android.provider.MediaStore
import org.lawcircle.phone.NewNeedPresenter
import java.io.File
import java.io.FileNotFoundException
import java.io.IOException
import java.io.InputStream
import java.util.UUID

/**
 * The need form's photos, from the photo picker or the camera app, as
 * files the form presenter attaches: the activity starts [photoIntent]
 * (one chooser of the picker and the camera), [pickIntent] or
 * [captureIntent] for a result and forwards that result to [onResult]
 * (off the main thread: it decodes), then hands the [Outcome] to the
 * presenter with [attachTo]. Every picture is copied into the app's own
 * folder ([folder]) downscaled and without metadata (`Photos.downscale`),
 * so the picker's grant may end and the original stays untouched.
 */
class PhotoIntake(private val context: Context) {
    /** What a result gave. */
    sealed interface Outcome {
        /** The downscaled copies, in the order picked. */
        data class Attached(val photos: List<Photos.Downscaled>) : Outcome

        /** Backed out of the picker or the camera: nothing changes. */
        data object Cancelled : Outcome

        /** Why a picture could not be taken in words (Chinese first, as the app's errors); [photos] are the ones that could. */
        data class Failed(val message: String, val photos: List<Photos.Downscaled> = emptyList()) : Outcome

        /** Not a photo request's result (another request code). */
        data object NotMine : Outcome
    }

    /** The system photo picker (Android 13+) or the document chooser for images before it: no storage permission. */
    fun pickIntent(sdkInt: Int = Build.VERSION.SDK_INT): Intent = Photos.pickIntent(Photos.MAX_PICK, sdkInt)

    /**
     * The camera app writing a full-size photo to the app's [CaptureProvider]
     * (a write grant for that one URI), or null when no camera app is
     * installed. A capture left from before is dropped.
     */
    @Suppress("DEPRECATION") // queryIntentActivities(Intent, ResolveInfoFlags) is API 33+; minSdk is 26.
    fun captureIntent(): Intent? {
        val uri = CaptureProvider.pendingUri(context)
        val intent = Intent(MediaStore.ACTION_IMAGE_CAPTURE)
            .putExtra(MediaStore.EXTRA_OUTPUT, uri)
            .addFlags(Intent.FLAG_GRANT_WRITE_URI_PERMISSION or Intent.FLAG_GRANT_READ_URI_PERMISSION)
        // The grant travels with the clip data (the framework copies EXTRA_OUTPUT there too; this does not depend on it).
        intent.clipData = ClipData.newRawUri("", uri)
        if (context.packageManager.queryIntentActivities(intent, 0).isEmpty()) return null
        CaptureProvider.pending(context).delete()
        return intent
    }

    /**
     * "Add a photo": one chooser of the photo picker and, when a camera app
     * is installed, the camera writing to the capture provider. Its result
     * ([REQUEST_PHOTO]) is the picker's when it names pictures, else the
     * camera's.
     */
    fun photoIntent(title: String, sdkInt: Int = Build.VERSION.SDK_INT): Intent {
        val chooser = Intent.createChooser(pickIntent(sdkInt), title)
        captureIntent()?.let { chooser.putExtra(Intent.EXTRA_INITIAL_INTENTS, arrayOf(it)) }
        return chooser
    }

    /** The activity result of [REQUEST_PHOTO], [REQUEST_PICK] or [REQUEST_CAPTURE]; blocking (decodes and writes): call it off the main thread. */
    fun onResult(requestCode: Int, resultCode: Int, data: Intent?): Outcome = when (requestCode) {
        REQUEST_PICK -> picked(resultCode, data)
        REQUEST_CAPTURE -> captured(resultCode)
        REQUEST_PHOTO -> {
            // Some camera apps answer with the output URI as the data: that is the capture too.
            val uris = urisOf(data).filter { it != CaptureProvider.pendingUri(context) }
            if (resultCode == Activity.RESULT_OK && uris.isNotEmpty()) {
                CaptureProvider.pending(context).delete()
                picked(resultCode, data)
            } else {
                captured(resultCode)
            }
        }
        else -> Outcome.NotMine
    }

    private fun picked(resultCode: Int, data: Intent?): Outcome {
        if (resultCode != Activity.RESULT_OK) return Outcome.Cancelled
        val uris = urisOf(data)
        if (uris.isEmpty()) return Outcome.Failed(NO_PICTURE)
        val done = mutableListOf<Photos.Downscaled>()
        for (uri in uris.take(Photos.MAX_PICK)) {
            when (val copy = copy({ context.contentResolver.openInputStream(uri) ?: throw FileNotFoundException("$uri") })) {
                is Copy.Done -> done += copy.photo
                // What was copied before stays: the user keeps those and is told about this one.
                is Copy.Failed -> return Outcome.Failed(copy.message, done)
            }
        }
        return Outcome.Attached(done)
    }

    private fun captured(resultCode: Int): Outcome {
        val pending = CaptureProvider.pending(context)
        try {
            if (resultCode != Activity.RESULT_OK) return Outcome.Cancelled
            if (!pending.isFile || pending.length() == 0L) return Outcome.Failed(NO_CAPTURE)
            return when (val copy = copy({ pending.inputStream() })) {
                is Copy.Done -> Outcome.Attached(listOf(copy.photo))
                is Copy.Failed -> Outcome.Failed(copy.message)
            }
        } finally {
            pending.delete()
        }
    }

    private sealed interface Copy {
        data class Done(val photo: Photos.Downscaled) : Copy

        data class Failed(val message: String) : Copy
    }

    /** One picture downscaled into [folder] under a new name; nothing is left behind when it fails. */
    private fun copy(open: () -> InputStream): Copy {
        val dir = folder(context).apply { mkdirs() }
        val out = File(dir, "photo-${UUID.randomUUID()}.jpg")
        val result = try {
            Copy.Done(Photos.downscale(open, out))
        } catch (_: FileNotFoundException) {
            Copy.Failed(UNREADABLE)
        } catch (_: SecurityException) {
            // The picker's grant is gone, or the URI was never ours to read.
            Copy.Failed(UNREADABLE)
        } catch (_: IOException) {
            Copy.Failed(NOT_AN_IMAGE)
        }
        if (result is Copy.Failed) {
            out.delete()
            File(out.path + ".tmp").delete()
        }
        return result
    }

    companion object {
        /** Request codes of the activity results (the framework's `startActivityForResult`). */
        const val REQUEST_PICK = 7311
        const val REQUEST_CAPTURE = 7312
        const val REQUEST_PHOTO = 7313

        const val NO_PICTURE = "没有收到所选的图片 No picture came back from the picker"
        const val NO_CAPTURE = "相机没有保存照片，请重拍 The camera saved no photo: take it again"
        const val UNREADABLE = "无法读取所选的图片 The chosen picture could not be read"
        const val NOT_AN_IMAGE = "所选文件不是手机能读取的图片 The chosen file is not a picture the phone can read"

        /** The app-private folder of the downscaled photos the form attaches (the library copies them when the need is queued). */
        fun folder(context: Context): File = File(context.filesDir, "photos")

        /** The URIs of a picker's answer: one in `data`, several in its clip data. */
        fun urisOf(data: Intent?): List<Uri> {
            data ?: return emptyList()
            val clip = data.clipData
            if (clip != null && clip.itemCount > 0) return (0 until clip.itemCount).mapNotNull { clip.getItemAt(it).uri }
            return listOfNotNull(data.data)
        }
    }
}

/**
 * The outcome to the need form: each photo attached by its file path (the
 * library checks it once); returns what to tell the user, or null when
 * there is nothing to say (attached, or cancelled).
 */
fun PhotoIntake.Outcome.attachTo(presenter: NewNeedPresenter): String? {
    val photos = when (this) {
        is PhotoIntake.Outcome.Attached -> photos
        is PhotoIntake.Outcome.Failed -> photos
        PhotoIntake.Outcome.Cancelled, PhotoIntake.Outcome.NotMine -> emptyList()
    }
    photos.forEach { presenter.addAttachment(it.file.path, it.file.name) }
    return (this as? PhotoIntake.Outcome.Failed)?.message
}
