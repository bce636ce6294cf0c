package org.lawcircle.app

import android.app.Application
import org.lawcircle.phone.PhoneStorage
import org.lawcircle.ffi.ClientConfig
import org.lawcircle.ffi.Credentials
import org.lawcircle.ffi.LawCircleClient
import java.io.File

/** Opens the one core client for the process. */
class LawCircleApp : Application() {
    lateinit var client: LawCircleClient
        private set

    override fun onCreate() {
        super.onCreate()
        client = LawCircleClient.open(
            ClientConfig(
                // App-private, file-encrypted, never backed up (PhoneStorage).
                databasePath = PhoneStorage.prepare(noBackupFilesDir, dataDir).path,
                serverUrl = BuildConfigValues.SERVER_URL,
                // A sign-in screen (and the Android Keystore for the secret)
                // is the deployment's: until then the configured account.
                credentials = Credentials(userId = BuildConfigValues.USER_ID, secret = BuildConfigValues.SECRET),
            ),
        )
        // The catalogue shipped in the APK's assets: searchable offline before any refresh.
        val shipped = File(filesDir, "lawcircle/facilities.csv")
        if (!shipped.exists() && assets.list("")?.contains("facilities.csv") == true) {
            assets.open("facilities.csv").use { input -> shipped.outputStream().use { input.copyTo(it) } }
            runCatching { client.installCatalogueFile(shipped.path) }
        }
    }
}

/** Deployment settings; a real build reads them from Gradle properties. */
object BuildConfigValues {
    const val SERVER_URL = "https://lawcircle.example.invalid"
    const val USER_ID = "anonymous"
    const val SECRET = ""
}
