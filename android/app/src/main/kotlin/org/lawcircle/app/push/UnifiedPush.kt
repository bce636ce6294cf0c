package org.lawcircle.app.push

import android.app.PendingIntent
import android.content.BroadcastReceiver
import android.content.Context
import android.content.Intent
import android.content.pm.PackageManager
import android.os.Build
import android.util.Log
import org.lawcircle.app.appServices
import org.lawcircle.app.notify.MessageNotifier
import org.lawcircle.phone.DistributorChoiceStore
import org.lawcircle.phone.PushDistributor
import org.lawcircle.phone.PushDistributorPresenter
import org.lawcircle.phone.PushRoute
import java.io.File
import java.util.UUID

/**
 * The UnifiedPush Android protocol (unifiedpush.org, "Android
 * specifications"): the broadcasts between this app (the connector) and the
 * distributor app the user chose (ntfy, NextPush, a phone maker's own…),
 * which keeps one connection to its push server for every app.
 */
object UnifiedPushProtocol {
    // Connector → distributor.
    const val ACTION_REGISTER = "org.unifiedpush.android.distributor.REGISTER"
    const val ACTION_UNREGISTER = "org.unifiedpush.android.distributor.UNREGISTER"
    const val ACTION_MESSAGE_ACK = "org.unifiedpush.android.distributor.MESSAGE_ACK"

    // Distributor → connector.
    const val ACTION_NEW_ENDPOINT = "org.unifiedpush.android.connector.NEW_ENDPOINT"
    const val ACTION_REGISTRATION_FAILED = "org.unifiedpush.android.connector.REGISTRATION_FAILED"
    const val ACTION_UNREGISTERED = "org.unifiedpush.android.connector.UNREGISTERED"
    const val ACTION_MESSAGE = "org.unifiedpush.android.connector.MESSAGE"

    const val EXTRA_TOKEN = "token"
    const val EXTRA_APPLICATION = "application"
    const val EXTRA_VAPID = "vapid"
    const val EXTRA_MESSAGE = "message"
    const val EXTRA_PI = "pi"
    const val EXTRA_ENDPOINT = "endpoint"
    const val EXTRA_BYTES_MESSAGE = "bytesMessage"
    const val EXTRA_MESSAGE_ID = "id"
    const val EXTRA_REASON = "reason"
}

/**
 * What the connector keeps, app-private: the registration token (what the
 * distributor's broadcasts must carry), the chosen distributor, the
 * endpoint last registered with the server, and the RFC 8291 keys. The
 * keys are in `noBackupFilesDir` (never backed up, never leave the phone);
 * the Android Keystore cannot hold them on every supported phone (its
 * ECDH needs Android 12, the app runs from Android 8).
 */
class UnifiedPushStore(private val context: Context) {
    private val prefs = context.getSharedPreferences("unifiedpush", Context.MODE_PRIVATE)

    val token: String? get() = prefs.getString(TOKEN, null)
    val distributor: String? get() = prefs.getString(DISTRIBUTOR, null)
    val endpoint: String? get() = prefs.getString(ENDPOINT, null)

    /** The registration's token (made on first use) for [distributor]. */
    fun tokenFor(distributor: String): String {
        val token = token?.takeIf { this.distributor == distributor } ?: UUID.randomUUID().toString()
        prefs.edit().putString(TOKEN, token).putString(DISTRIBUTOR, distributor).commit()
        return token
    }

    fun saveEndpoint(endpoint: String) {
        prefs.edit().putString(ENDPOINT, endpoint).commit()
    }

    /** Forgets the registration (the keys stay: a new registration reuses them). */
    fun clear() {
        prefs.edit().clear().commit()
    }

    /** This app's receiving keys, made and stored on first use. */
    @Synchronized
    fun keys(): WebPushKeys {
        val file = File(context.noBackupFilesDir, KEYS_FILE)
        if (file.exists()) WebPushKeys.decode(file.readText())?.let { return it }
        val keys = WebPushKeys.generate()
        // New keys: the endpoint must be registered again with them.
        prefs.edit().remove(ENDPOINT).commit()
        val tmp = File(context.noBackupFilesDir, "$KEYS_FILE.tmp")
        tmp.writeText(keys.encode())
        check(tmp.renameTo(file)) { "cannot store the push keys" }
        return keys
    }

    companion object {
        private const val TOKEN = "token"
        private const val DISTRIBUTOR = "distributor"
        private const val ENDPOINT = "endpoint"
        const val KEYS_FILE = "webpush-keys"
    }
}

/**
 * The distributor the user picked among several, kept in private
 * preferences apart from the registration (signing out unregisters, the
 * choice stays: the next sign-in does not ask again).
 */
class DistributorChoice(context: Context) : DistributorChoiceStore {
    private val prefs = context.getSharedPreferences(PREFS, Context.MODE_PRIVATE)

    override fun load(): String? = prefs.getString(CHOSEN, null)

    override fun save(packageName: String?) {
        prefs.edit().apply { if (packageName == null) remove(CHOSEN) else putString(CHOSEN, packageName) }.commit()
    }

    companion object {
        const val PREFS = "unifiedpush.choice"
        private const val CHOSEN = "distributor"
    }
}

/**
 * This app's side of UnifiedPush: lists the installed distributors,
 * registers with the chosen one (with the server's VAPID key, so only the
 * server can push here), unregisters, acknowledges messages.
 */
class UnifiedPushConnector(private val context: Context, private val store: UnifiedPushStore = UnifiedPushStore(context)) {
    /** Packages that answer the REGISTER broadcast, i.e. the installed distributors. */
    fun distributors(): List<String> {
        val intent = Intent(UnifiedPushProtocol.ACTION_REGISTER)
        val pm = context.packageManager
        val found = if (Build.VERSION.SDK_INT >= 33) {
            pm.queryBroadcastReceivers(intent, PackageManager.ResolveInfoFlags.of(0))
        } else {
            @Suppress("DEPRECATION")
            pm.queryBroadcastReceivers(intent, 0)
        }
        return found.mapNotNull { it.activityInfo?.packageName }.filter { it != context.packageName }.distinct().sorted()
    }

    /** The installed distributors with the names the launcher shows for them. */
    fun installed(): List<PushDistributor> {
        val pm = context.packageManager
        return distributors().map { pkg ->
            val label = try {
                val info = if (Build.VERSION.SDK_INT >= 33) {
                    pm.getApplicationInfo(pkg, PackageManager.ApplicationInfoFlags.of(0))
                } else {
                    @Suppress("DEPRECATION")
                    pm.getApplicationInfo(pkg, 0)
                }
                pm.getApplicationLabel(info).toString()
            } catch (_: PackageManager.NameNotFoundException) {
                pkg
            }
            PushDistributor(pkg, label)
        }
    }

    /**
     * The distributor to use without asking ([PushDistributorPresenter.route]):
     * the one the user chose ([choice]; else the one registered with before)
     * while it is installed, else the only one installed. Null when there is none (push is off: offers come
     * while the app or the duty service is open) or several (the user
     * picks one on the chooser screen).
     */
    fun defaultDistributor(choice: DistributorChoiceStore = DistributorChoice(context)): String? =
        (PushDistributorPresenter.route(installed(), choice.load() ?: store.distributor) as? PushRoute.Use)?.distributor?.packageName

    /** Asks [distributor] for an endpoint; the answer comes as NEW_ENDPOINT or REGISTRATION_FAILED. */
    fun register(distributor: String, vapidKey: String?) {
        val token = store.tokenFor(distributor)
        val intent = Intent(UnifiedPushProtocol.ACTION_REGISTER).setPackage(distributor)
            .putExtra(UnifiedPushProtocol.EXTRA_TOKEN, token)
            .putExtra(UnifiedPushProtocol.EXTRA_APPLICATION, context.packageName)
            .putExtra(UnifiedPushProtocol.EXTRA_MESSAGE, "法律服务圈：值守接单与办理进度通知")
            // Proves to the distributor which app registers (it reads the PendingIntent's creator).
            .putExtra(UnifiedPushProtocol.EXTRA_PI, identity())
        if (vapidKey != null) intent.putExtra(UnifiedPushProtocol.EXTRA_VAPID, vapidKey)
        context.sendBroadcast(intent)
    }

    /** Tells the distributor to drop the registration and forgets it here. */
    fun unregister() {
        val distributor = store.distributor
        val token = store.token
        if (distributor != null && token != null) {
            context.sendBroadcast(
                Intent(UnifiedPushProtocol.ACTION_UNREGISTER).setPackage(distributor)
                    .putExtra(UnifiedPushProtocol.EXTRA_TOKEN, token)
                    .putExtra(UnifiedPushProtocol.EXTRA_PI, identity()),
            )
        }
        store.clear()
    }

    /** Tells the distributor that message [id] arrived (it stops redelivering it). */
    fun acknowledge(id: String) {
        val distributor = store.distributor ?: return
        val token = store.token ?: return
        context.sendBroadcast(
            Intent(UnifiedPushProtocol.ACTION_MESSAGE_ACK).setPackage(distributor)
                .putExtra(UnifiedPushProtocol.EXTRA_TOKEN, token)
                .putExtra(UnifiedPushProtocol.EXTRA_MESSAGE_ID, id),
        )
    }

    private fun identity(): PendingIntent = PendingIntent.getBroadcast(
        context,
        0,
        Intent("org.unifiedpush.android.connector.IDENTITY").setPackage(context.packageName),
        PendingIntent.FLAG_IMMUTABLE,
    )
}

/** Where a new endpoint goes: the server, through the push registration presenter. */
interface PushEndpoints {
    /** The distributor gave [endpoint]: register it with the app's keys. */
    fun register(endpoint: String, p256dh: String, auth: String)

    /** The registration is gone (the distributor or the user dropped it): unregister the device. */
    fun unregister()
}

/**
 * Handles the distributor's broadcasts. Every broadcast must carry the
 * token of the current registration, otherwise it is ignored (another app
 * cannot inject messages or endpoints).
 */
class UnifiedPushEvents(
    private val context: Context,
    private val endpoints: PushEndpoints?,
    private val store: UnifiedPushStore = UnifiedPushStore(context),
    private val notifier: MessageNotifier = MessageNotifier(context),
) {
    /** What a broadcast did. */
    enum class Outcome {
        WRONG_TOKEN, ENDPOINT_REGISTERED, FAILED, UNREGISTERED,
        SHOWN, DUPLICATE, WITHDRAWN, UNREADABLE, UNKNOWN,
    }

    fun handle(intent: Intent): Outcome {
        val token = intent.getStringExtra(UnifiedPushProtocol.EXTRA_TOKEN)
        if (token == null || token != store.token) return Outcome.WRONG_TOKEN
        return when (intent.action) {
            UnifiedPushProtocol.ACTION_NEW_ENDPOINT -> newEndpoint(intent.getStringExtra(UnifiedPushProtocol.EXTRA_ENDPOINT))
            UnifiedPushProtocol.ACTION_REGISTRATION_FAILED -> {
                Log.w(TAG, "registration failed: ${intent.getStringExtra(UnifiedPushProtocol.EXTRA_REASON)}")
                store.clear()
                Outcome.FAILED
            }
            UnifiedPushProtocol.ACTION_UNREGISTERED -> {
                store.clear()
                endpoints?.unregister()
                Outcome.UNREGISTERED
            }
            UnifiedPushProtocol.ACTION_MESSAGE -> message(intent)
            else -> Outcome.UNKNOWN
        }
    }

    /**
     * Registers the endpoint with the server every time the distributor
     * gives it (after each REGISTER, e.g. at sign-in): the server renews a
     * known endpoint, and a registration that failed before is made now.
     */
    private fun newEndpoint(endpoint: String?): Outcome {
        if (endpoint.isNullOrBlank()) return Outcome.FAILED
        val keys = store.keys()
        store.saveEndpoint(endpoint)
        endpoints?.register(endpoint, keys.p256dh, keys.authBase64)
        return Outcome.ENDPOINT_REGISTERED
    }

    private fun message(intent: Intent): Outcome {
        val outcome = show(intent.getByteArrayExtra(UnifiedPushProtocol.EXTRA_BYTES_MESSAGE))
        // Handled (shown, or never readable): the distributor may stop redelivering it.
        intent.getStringExtra(UnifiedPushProtocol.EXTRA_MESSAGE_ID)?.let { UnifiedPushConnector(context, store).acknowledge(it) }
        return outcome
    }

    private fun show(body: ByteArray?): Outcome {
        if (body == null) return Outcome.UNREADABLE
        val message = try {
            PushMessage.parse(String(WebPushDecryption.decrypt(body, store.keys()), Charsets.UTF_8))
        } catch (e: WebPushException) {
            Log.w(TAG, "a push that does not decrypt was dropped: ${e.message}")
            null
        } ?: return Outcome.UNREADABLE
        return when (notifier.show(message)) {
            MessageNotifier.Outcome.SHOWN -> Outcome.SHOWN
            MessageNotifier.Outcome.DUPLICATE -> Outcome.DUPLICATE
            MessageNotifier.Outcome.WITHDRAWN -> Outcome.WITHDRAWN
        }
    }

    private companion object {
        const val TAG = "LawCirclePush"
    }
}

/** The manifest's receiver of the distributor's broadcasts. */
class UnifiedPushReceiver : BroadcastReceiver() {
    override fun onReceive(context: Context, intent: Intent) {
        UnifiedPushEvents(context, context.appServices?.pushEndpoints).handle(intent)
    }
}
