package org.lawcircle.app

import android.app.Application
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.launch
import org.lawcircle.app.notify.Channels
import org.lawcircle.app.push.UnifiedPushConnector
import org.lawcircle.app.sync.NetworkWatch
import org.lawcircle.app.sync.OutboxSyncJob
import org.lawcircle.ffi.ClientConfig
import org.lawcircle.ffi.Credentials
import org.lawcircle.ffi.LawCircleClient
import org.lawcircle.ffi.ListenerHandle
import org.lawcircle.ffi.OutboxChange
import org.lawcircle.ffi.OutboxListener
import org.lawcircle.phone.OkHttpTransport
import org.lawcircle.phone.PhoneStorage
import java.io.File

/**
 * Opens the one core client for the process and provides the framework
 * glue's [AppServices]: the push receiver, the duty service and the sync
 * job reach the same client whether or not an activity is open.
 */
class LawCircleApp : Application(), AppServices {
    lateinit var client: LawCircleClient
        private set

    /** The process's scope: the presenters the services hold live as long as the process. */
    val processScope = CoroutineScope(SupervisorJob() + Dispatchers.Main.immediate)
    private lateinit var services: CoreServices
    private var outboxWatch: ListenerHandle? = null
    private var networkWatch: NetworkWatch? = null

    override val pushEndpoints get() = services.pushEndpoints
    override val outboxSync get() = services.outboxSync

    override fun dutyFeed(latitude: Double, longitude: Double) = services.dutyFeed(latitude, longitude)

    /**
     * After sign-in: registers for UnifiedPush with the server's VAPID key
     * through the default distributor. False when the user must pick a
     * distributor among several (or none is installed).
     */
    fun startPush(): Boolean {
        val connector = UnifiedPushConnector(this)
        val distributor = connector.defaultDistributor() ?: return false
        val registration = services.pushRegistration
        processScope.launch {
            registration.loadServerKey().join()
            registration.state.value.serverKey?.let { connector.register(distributor, it) }
        }
        return true
    }

    /** At sign-out: the distributor drops the registration, the server the device. */
    fun stopPush() {
        UnifiedPushConnector(this).unregister()
        services.pushEndpoints.unregister()
    }

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
            // HTTP through the platform: the phone's trust store, Network
            // Security Config and proxies.
            OkHttpTransport(),
        )
        services = CoreServices(client, processScope)
        Channels.create(this)
        // Whatever is queued gets a sync job: it runs when the phone is online.
        // (The listener only schedules: it must not call back into the core.)
        outboxWatch = client.watchOutbox(object : OutboxListener {
            override fun onChange(change: OutboxChange) {
                if (OutboxSyncJob.needsSync(change)) OutboxSyncJob.schedule(this@LawCircleApp)
            }
        })
        if (client.outboxCounts().pending > 0u) OutboxSyncJob.schedule(this)
        // Back online (a validated network): what waits is sent at once.
        networkWatch = NetworkWatch(this) {
            if (client.outboxCounts().pending > 0u) OutboxSyncJob.schedule(this)
        }.also { it.start() }
        // The catalogue shipped in the APK's assets: searchable offline before
        // any refresh. Copied and installed off the main thread.
        processScope.launch(Dispatchers.IO) {
            val shipped = File(filesDir, "lawcircle/facilities.csv")
            if (!shipped.exists() && assets.list("")?.contains("facilities.csv") == true) {
                shipped.parentFile?.mkdirs()
                assets.open("facilities.csv").use { input -> shipped.outputStream().use { input.copyTo(it) } }
                runCatching { client.installCatalogueFile(shipped.path) }
            }
        }
    }
}

/** Deployment settings; a real build reads them from Gradle properties. */
object BuildConfigValues {
    const val SERVER_URL = "https://lawcircle.example.invalid"
    const val USER_ID = "anonymous"
    const val SECRET = ""
}
