package org.lawcircle.phone

import java.io.File
import java.io.IOException

/**
 * Where the phone keeps its database at rest, and which files it is.
 *
 * The database holds people's legal troubles and contact details until the
 * server confirmed them. On Android it lives in app-private internal
 * storage, in `Context.getNoBackupFilesDir()`:
 *  - private to the app (other apps and USB file transfer cannot read it);
 *  - under file-based encryption (mandatory from Android 10): credential-
 *    encrypted storage, unreadable until the user first unlocks the device
 *    after a boot (the app is not `directBootAware`, so it never opens the
 *    database before that);
 *  - excluded from Auto Backup and device transfer (the no-backup folder,
 *    plus `allowBackup="false"` and the data extraction rules of the app).
 *
 * No database encryption key is added: the platform's file encryption
 * protects it at rest, so the Rust library is unchanged (0 bytes).
 */
object PhoneStorage {
    /** The folder inside the no-backup folder. */
    const val FOLDER = "lawcircle"

    /** The database file. */
    const val DATABASE = "phone.sqlite"

    /**
     * The files of the database at [database]: the file itself, SQLite's
     * write-ahead log and shared memory, a rollback journal, and the
     * library's offline copy (`<database>.offline.json`) with its
     * temporary file while it is rewritten.
     */
    fun databaseFiles(database: File): List<File> =
        listOf("", "-wal", "-shm", "-journal", ".offline.json", ".offline.json.tmp")
            .map { File(database.path + it) }

    /**
     * Makes the database folder inside [noBackupDir] and returns the
     * database path to give the core client. [appDataDir] is the app's
     * private data folder (`Context.getDataDir()`); a no-backup folder
     * outside it (external or shared storage: readable by others, not
     * encrypted per user) is refused.
     */
    fun prepare(noBackupDir: File, appDataDir: File): File {
        val dir = File(noBackupDir, FOLDER).canonicalFile
        val root = appDataDir.canonicalFile
        if (!dir.path.startsWith(root.path + File.separator)) {
            throw IOException("the database must stay in the app's private storage ($root), not $dir")
        }
        if (!dir.isDirectory && !dir.mkdirs()) {
            throw IOException("cannot create $dir")
        }
        // Owner only, whatever the process umask says.
        dir.setReadable(false, false)
        dir.setWritable(false, false)
        dir.setExecutable(false, false)
        dir.setReadable(true, true)
        dir.setWritable(true, true)
        dir.setExecutable(true, true)
        return File(dir, DATABASE)
    }
}
