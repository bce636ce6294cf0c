package org.lawcircle.app.files

import android.database.Cursor
import android.database.MatrixCursor
import android.provider.OpenableColumns
import java.io.File

/**
 * A provider's answer to `query` for one file: what other apps ask a
 * content URI for (the name to show and the size), only the columns of
 * [projection] among them, all of them when it is null.
 */
internal fun openableCursor(file: File, projection: Array<out String>?): Cursor {
    val columns = projection?.filter { it == OpenableColumns.DISPLAY_NAME || it == OpenableColumns.SIZE }?.toTypedArray()
        ?: arrayOf(OpenableColumns.DISPLAY_NAME, OpenableColumns.SIZE)
    return MatrixCursor(columns, 1).apply {
        addRow(columns.map { if (it == OpenableColumns.SIZE) file.length() else file.name })
    }
}
