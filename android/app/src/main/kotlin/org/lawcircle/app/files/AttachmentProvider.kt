package org.lawcircle.app.files

import android.content.ContentProvider
import android.content.ContentValues
import android.content.Context
import android.content.Intent
import android.content.pm.PackageManager
import android.database.Cursor
import android.net.Uri
import android.os.ParcelFileDescriptor
import java.io.File
import java.io.FileNotFoundException
import java.net.URLConnection

/**
 * Lends an order's downloaded attachments to a viewer app, read-only: the
 * framework's own `ContentProvider` (AndroidX's `FileProvider` cannot be
 * built here), serving only the files directly inside the app's attachment
 * folder ([folder]). Not exported: a viewer reads a file only through the
 * one-time grant of the `ACTION_VIEW` intent ([viewIntent]).
 */
class AttachmentProvider : ContentProvider() {
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

    /** The type by the file's first bytes (the downloaded files have no extension); the intent carries the server's type anyway. */
    override fun getType(uri: Uri): String = runCatching {
        fileOf(uri).inputStream().buffered().use { URLConnection.guessContentTypeFromStream(it) }
    }.getOrNull() ?: "application/octet-stream"

    override fun openFile(uri: Uri, mode: String): ParcelFileDescriptor {
        if (mode != "r") throw SecurityException("attachments are read-only")
        return ParcelFileDescriptor.open(fileOf(uri), ParcelFileDescriptor.MODE_READ_ONLY)
    }

    override fun insert(uri: Uri, values: ContentValues?): Uri? = throw UnsupportedOperationException("read-only")

    override fun update(uri: Uri, values: ContentValues?, selection: String?, selectionArgs: Array<out String>?): Int =
        throw UnsupportedOperationException("read-only")

    override fun delete(uri: Uri, selection: String?, selectionArgs: Array<out String>?): Int =
        throw UnsupportedOperationException("read-only")

    /** The file a URI names: one name, directly inside the folder, existing; anything else is not found. */
    private fun fileOf(uri: Uri): File {
        val context = context ?: throw FileNotFoundException("no context")
        val name = uri.pathSegments.singleOrNull() ?: throw FileNotFoundException("$uri")
        val dir = folder(context).canonicalFile
        val file = File(dir, name).canonicalFile
        if (file.parentFile != dir || !file.isFile) throw FileNotFoundException("$uri")
        return file
    }

    companion object {
        /** Where the order detail downloads attachments (the app's cache). */
        fun folder(context: Context): File = File(context.cacheDir, "attachments")

        fun authority(context: Context): String = context.packageName + ".attachments"

        /** The content URI of [file], or null when it is not directly inside [folder]. */
        fun uriFor(context: Context, file: File): Uri? {
            val dir = folder(context).canonicalFile
            val f = file.canonicalFile
            if (f.parentFile != dir) return null
            return Uri.Builder().scheme("content").authority(authority(context)).appendPath(f.name).build()
        }

        /**
         * "Open" on a downloaded attachment: `ACTION_VIEW` of its content URI
         * with the server's [contentType] and a read grant, or null when the
         * file is not an attachment or no app on the phone views that type.
         */
        @Suppress("DEPRECATION") // resolveActivity(Intent, ResolveInfoFlags) is API 33+; minSdk is 26.
        fun viewIntent(context: Context, file: File, contentType: String): Intent? {
            val uri = uriFor(context, file) ?: return null
            val intent = Intent(Intent.ACTION_VIEW)
                .setDataAndType(uri, contentType)
                .addFlags(Intent.FLAG_GRANT_READ_URI_PERMISSION or Intent.FLAG_ACTIVITY_NEW_TASK)
            return intent.takeIf { context.packageManager.resolveActivity(it, PackageManager.MATCH_DEFAULT_ONLY) != null }
        }
    }
}
