package org.lawcircle.app.photos

import android.content.ContentProvider
import android.content.ContentValues
import android.content.Context
import android.database.Cursor
import android.net.Uri
import android.os.ParcelFileDescriptor
import java.io.File
import java.io.FileNotFoundException
import org.lawcircle.app.files.openableCursor

/**
 * Where the camera app writes a photo for a need: the framework's own
 * `ContentProvider` (AndroidX's `FileProvider` cannot be built here),
 * serving the one pending capture file ([pending]) and nothing else,
 * writable by the camera app only through the write grant of the
 * `ACTION_IMAGE_CAPTURE` intent ([PhotoIntake.captureIntent]). Not
 * exported. The app reads the file itself (it is in its own folder),
 * downscales it and deletes it.
 */
class CaptureProvider : ContentProvider() {
    override fun onCreate(): Boolean = true

    override fun query(
        uri: Uri,
        projection: Array<out String>?,
        selection: String?,
        selectionArgs: Array<out String>?,
        sortOrder: String?,
    ): Cursor {
        return openableCursor(fileOf(uri), projection)
    }

    override fun getType(uri: Uri): String = "image/jpeg"

    /** Read or write (`r`, `w`, `wt`, `rw`, `rwt`): the camera app writes the photo here. */
    override fun openFile(uri: Uri, mode: String): ParcelFileDescriptor {
        val file = fileOf(uri)
        file.parentFile?.mkdirs()
        return ParcelFileDescriptor.open(file, ParcelFileDescriptor.parseMode(mode))
    }

    override fun insert(uri: Uri, values: ContentValues?): Uri? = throw UnsupportedOperationException("capture only")

    override fun update(uri: Uri, values: ContentValues?, selection: String?, selectionArgs: Array<out String>?): Int =
        throw UnsupportedOperationException("capture only")

    override fun delete(uri: Uri, selection: String?, selectionArgs: Array<out String>?): Int =
        throw UnsupportedOperationException("capture only")

    /** Only the pending capture's URI names a file; any other path is not found. */
    private fun fileOf(uri: Uri): File {
        val context = context ?: throw FileNotFoundException("no context")
        if (uri.pathSegments != listOf(PENDING_NAME)) throw FileNotFoundException("$uri")
        return pending(context)
    }

    companion object {
        private const val PENDING_NAME = "pending.jpg"

        /** The app-private folder of the capture in progress. */
        fun folder(context: Context): File = File(context.filesDir, "captures")

        /** The file the camera app is writing (one capture at a time; kept by name, so a process killed meanwhile finds it). */
        fun pending(context: Context): File = File(folder(context), PENDING_NAME)

        fun authority(context: Context): String = context.packageName + ".captures"

        /** The content URI the camera app writes to. */
        fun pendingUri(context: Context): Uri =
            Uri.Builder().scheme("content").authority(authority(context)).appendPath(PENDING_NAME).build()
    }
}
