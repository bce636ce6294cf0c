package org.lawcircle.app

import android.app.Application
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.launch
import org.lawcircle.app.account.KeystoreSessionStore
import org.lawcircle.app.duty.DutyService
import org.lawcircle.app.notify.Channels
import org.lawcircle.app.push.DistributorChoice
import org.lawcircle.app.push.UnifiedPushConnector
import org.lawcircle.app.sync.NetworkWatch
import org.lawcircle.app.sync.OutboxSyncJob
import org.lawcircle.ffi.Account
import org.lawcircle.ffi.ClientConfig
import org.lawcircle.ffi.Credentials
import org.lawcircle.ffi.LawCircleClient
import org.lawcircle.ffi.ListenerHandle
import org.lawcircle.ffi.OutboxChange
import org.lawcircle.ffi.OutboxListener
import org.lawcircle.phone.AppSession
import org.lawcircle.phone.OkHttpTransport
import org.lawcircle.phone.PhoneStorage
import org.lawcircle.phone.ClientLogin
import org.lawcircle.phone.PushDistributorPresenter
import org.lawcircle.phone.SessionHooks
import org.lawcircle.phone.SignInPresenter
import java.io.File

/**
 * Holds the process's [AppSession]: at launch it restores the saved
 * sign-in (Android Keystore) or leaves the app on the sign-in screen. While
 * someone is signed in, the framework glue (the push receiver, the duty
 * service, the sync job) reaches the signed-in client through
 * [signedIn], whether or not an activity is open.
 */
class LawCircleApp : Application(), SessionServices, SessionHooks {
    /** The signed-in user's client; null on the sign-in screen. */
    @Volatile
    var client: LawCircleClient? = null
        private set

    /** The process's scope: the presenters the services hold live as long as the process. */
    val processScope = CoroutineScope(SupervisorJob() + Dispatchers.Main.immediate)
    lateinit var session: AppSession
        private set

    @Volatile
    private var services: CoreServices? = null
    private var outboxWatch: ListenerHandle? = null
    private var networkWatch: NetworkWatch? = null

    override val signedIn: AppServices? get() = services

    /**
     * Which UnifiedPush distributor brings offers while the app is closed:
     * the user's pick among several is kept (`DistributorChoice`); the
     * chooser screen (`PushDistributorScreen`) shows this presenter.
     */
    val pushChooser: PushDistributorPresenter by lazy {
        PushDistributorPresenter(DistributorChoice(this), UnifiedPushConnector(this)::installed)
    }

    /**
     * After sign-in (and after the user picks a distributor): registers for
     * UnifiedPush with the server's VAPID key through the distributor the
     * chooser's rule gives. False when the user must pick among several,
     * or none is installed (then offers come over the live stream while on
     * duty, and the chooser screen says so).
     */
    fun startPush(): Boolean {
        val registration = services?.pushRegistration ?: return false
        val connector = UnifiedPushConnector(this)
        pushChooser.refresh()
        val distributor = pushChooser.state.value.distributor?.packageName ?: return false
        processScope.launch {
            registration.loadServerKey().join()
            registration.state.value.serverKey?.let { connector.register(distributor, it) }
        }
        return true
    }

    /**
     * The chooser screen's pick: kept by the chooser, then push starts
     * with it (false: not installed any more, the chooser asks again).
     */
    fun choosePush(packageName: String): Boolean {
        pushChooser.choose(packageName)
        return startPush()
    }

    /** At sign-out: the distributor drops the registration, the server the device. */
    fun stopPush() {
        UnifiedPushConnector(this).unregister()
        services?.pushEndpoints?.unregister()
    }

    /**
     * The phone's client for a sign-in: one app-private database, the
     * platform's HTTP. The password is there only for a sign-in typed now
     * (blank when the kept session is taken up, or for a code sign-in).
     */
    private fun openClient(login: ClientLogin): LawCircleClient = LawCircleClient.open(
        ClientConfig(
            // App-private, file-encrypted, never backed up (PhoneStorage).
            databasePath = PhoneStorage.prepare(noBackupFilesDir, dataDir).path,
            serverUrl = login.serverUrl,
            credentials = Credentials(userId = login.username, secret = login.password),
        ),
        // HTTP through the platform: the phone's trust store, Network
        // Security Config and proxies.
        OkHttpTransport(),
    )

    override fun onCreate() {
        super.onCreate()
        Channels.create(this)
        // An earlier version kept the password (sealed) here: forgotten, only the session is kept now.
        deleteSharedPreferences(KeystoreSessionStore.LEGACY_SIGN_IN_PREFS)
        session = AppSession(
            SignInPresenter(BuildConfigValues.SERVER_URL, KeystoreSessionStore(this), processScope, open = ::openClient),
            this,
            processScope,
        )
        // Back online (a validated network): what waits is sent at once.
        networkWatch = NetworkWatch(this) {
            if ((client?.outboxCounts()?.pending ?: 0uL) > 0uL) OutboxSyncJob.schedule(this)
        }.also { it.start() }
        session.launch()
    }

    override fun signedIn(client: LawCircleClient, account: Account) {
        this.client = client
        services = CoreServices(client, processScope)
        // Whatever is queued gets a sync job: it runs when the phone is online.
        // (The listener only schedules: it must not call back into the core.)
        outboxWatch?.close()
        outboxWatch = client.watchOutbox(object : OutboxListener {
            override fun onChange(change: OutboxChange) {
                if (OutboxSyncJob.needsSync(change)) OutboxSyncJob.schedule(this@LawCircleApp)
            }
        })
        if (client.outboxCounts().pending > 0u) OutboxSyncJob.schedule(this)
        // Notifications with the app closed: UnifiedPush through the default distributor.
        startPush()
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

    override fun signingOut(client: LawCircleClient) {
        // Off duty and unreachable by push before the session ends.
        DutyService.stop(this)
        stopPush()
    }

    override fun signedOut() {
        outboxWatch?.close()
        outboxWatch = null
        services = null
        client = null
    }
}

/** Deployment settings; a real build reads them from Gradle properties. */
object BuildConfigValues {
    /** The platform's address the sign-in screen starts with (a station's QR code may change it). */
    const val SERVER_URL = "https://lawcircle.example.invalid"
}
