package org.lawcircle.phone

import org.junit.jupiter.api.Test
import org.lawcircle.ffi.ClientConfig
import org.lawcircle.ffi.Credentials
import org.lawcircle.ffi.LawCircleClient
import java.io.File
import java.io.IOException
import java.nio.file.Files
import java.nio.file.attribute.PosixFilePermissions
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue

/** Where the phone's database lives at rest (no server needed). */
class PhoneStorageTest {
    @Test
    fun `the database goes in the app's no-backup folder and every file the library writes is named`() {
        val data = Files.createTempDirectory("lawcircle-data").toFile()
        try {
            val noBackup = File(data, "no_backup")
            val db = PhoneStorage.prepare(noBackup, data)
            assertEquals(File(File(noBackup, "lawcircle"), "phone.sqlite").canonicalFile, db)
            assertEquals(
                "rwx------",
                PosixFilePermissions.toString(Files.getPosixFilePermissions(db.parentFile.toPath())),
            )
            // The real library opens it there and writes only the files
            // databaseFiles names (what backup rules and wiping must cover).
            LawCircleClient.open(
                ClientConfig(db.path, "http://127.0.0.1:9", Credentials("resident", "x")),
                OkHttpTransport(),
            ).use { it.outboxCounts() }
            val written = db.parentFile.listFiles()!!.map { it.name }.toSet()
            val named = PhoneStorage.databaseFiles(db).map { it.name }.toSet()
            assertTrue("phone.sqlite" in written, "$written")
            assertTrue(named.containsAll(written), "unnamed files beside the database: ${written - named}")
            assertEquals(
                listOf("phone.sqlite", "phone.sqlite-wal", "phone.sqlite-shm"),
                PhoneStorage.databaseFiles(db).take(3).map { it.name },
            )
        } finally {
            data.deleteRecursively()
        }
    }

    @Test
    fun `a folder outside the app's private storage is refused`() {
        val data = Files.createTempDirectory("lawcircle-data").toFile()
        val shared = Files.createTempDirectory("sdcard").toFile()
        try {
            assertFailsWith<IOException> { PhoneStorage.prepare(shared, data) }
            // A path that climbs out of the private folder is refused too.
            assertFailsWith<IOException> { PhoneStorage.prepare(File(data, "../escape"), data) }
        } finally {
            data.deleteRecursively()
            shared.deleteRecursively()
        }
    }
}
