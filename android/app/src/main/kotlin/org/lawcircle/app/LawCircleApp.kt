package org.lawcircle.app

import android.app.Application
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
                databasePath = File(filesDir, "lawcircle/phone.sqlite").path,
                serverUrl = BuildConfigValues.SERVER_URL,
                // Sign-in comes with the feature issues; until then, anonymous.
                credentials = Credentials(userId = "anonymous", secret = ""),
            ),
        )
    }
}

/** Deployment settings; a real build reads them from Gradle properties. */
object BuildConfigValues {
    const val SERVER_URL = "https://lawcircle.example.invalid"
}
