package org.lawcircle.phone

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import org.lawcircle.ffi.Account
import org.lawcircle.ffi.LawCircleClient
import org.lawcircle.ffi.LawCircleException
import org.lawcircle.ffi.Role
import java.io.IOException
import java.net.URI
import java.net.URISyntaxException

/**
 * What signing in again needs, kept by the app between launches (the
 * Android Keystore in the app, `KeystoreCredentialStore`). The secret is
 * left out of [toString].
 */
data class SavedSignIn(val serverUrl: String, val username: String, val secret: String) {
    override fun toString(): String = "SavedSignIn(serverUrl=$serverUrl, username=$username)"
}

/** Where the app keeps a [SavedSignIn]. */
interface CredentialStore {
    @Throws(IOException::class)
    fun load(): SavedSignIn?

    @Throws(IOException::class)
    fun save(saved: SavedSignIn)

    @Throws(IOException::class)
    fun clear()
}

/** The home a signed-in account sees, by its role. */
enum class Home {
    /** Find services, file and follow needs, rate. */
    RESIDENT,

    /** Duty clock-in, offers, my orders. */
    VOLUNTEER,

    /** Needs entered on site, the outbox. */
    LAWYER,

    /**
     * Station staff and district admins work in the web console; the app
     * gives them the resident's home and says so.
     */
    CONSOLE,
    ;

    companion object {
        fun of(account: Account): Home = when (account.role) {
            Role.RESIDENT -> RESIDENT
            Role.VOLUNTEER -> VOLUNTEER
            Role.LAWYER -> LAWYER
            Role.STATION_STAFF, Role.DISTRICT_ADMIN -> CONSOLE
        }
    }
}

/** Where the sign-in screen is. */
sealed interface SignInPhase {
    data object Editing : SignInPhase

    data object SigningIn : SignInPhase

    data class SignedIn(val account: Account, val home: Home) : SignInPhase

    data class Failed(val error: UiError) : SignInPhase
}

/** What the sign-in screen shows. The password is left out of [toString]. */
data class SignInState(
    /** The platform's address: the build's default, or a station's QR code. */
    val serverUrl: String,
    val username: String = "",
    /** Cleared once used: the secret is kept only by the credential store. */
    val password: String = "",
    val phase: SignInPhase = SignInPhase.Editing,
) {
    val busy: Boolean get() = phase == SignInPhase.SigningIn
    val error: UiError? get() = (phase as? SignInPhase.Failed)?.error
    val account: Account? get() = (phase as? SignInPhase.SignedIn)?.account

    override fun toString(): String = "SignInState(serverUrl=$serverUrl, username=$username, phase=$phase)"
}

/**
 * Signing in (username or mobile number and password), restoring the
 * session at launch (offline too, from the account kept on the phone) and
 * signing out. [open] opens the phone's client for a saved sign-in (the
 * app passes its database path and transport); the opened client is what
 * every other presenter takes, published in [client].
 */
class SignInPresenter(
    serverUrl: String,
    private val store: CredentialStore,
    scope: CoroutineScope,
    io: CoroutineDispatcher = Dispatchers.IO,
    /** The address and name typed so far survive a rotation here (never the password). */
    private val saved: SavedStateStore? = null,
    private val open: (SavedSignIn) -> LawCircleClient,
) : ScopedPresenter<SignInState>(
    SignInState(
        serverUrl = saved?.string("signIn.serverUrl") ?: serverUrl,
        username = saved?.string("signIn.username") ?: "",
    ),
    scope,
    io,
) {
    /** The signed-in user's client, once signed in. */
    @Volatile
    var client: LawCircleClient? = null
        private set

    fun setServerUrl(value: String) = edit { it.copy(serverUrl = value.trim()) }

    fun setUsername(value: String) = edit { it.copy(username = value) }

    fun setPassword(value: String) = edit { it.copy(password = value) }

    private fun edit(change: (SignInState) -> SignInState) {
        updateState {
            val next = change(it)
            if (next.phase is SignInPhase.Failed) next.copy(phase = SignInPhase.Editing) else next
        }
        saved?.let {
            val s = state.value
            it["signIn.serverUrl"] = s.serverUrl
            it["signIn.username"] = s.username
        }
    }

    /**
     * A station's QR code: `lawcircle://connect?server=<address>` or the
     * address itself. Anything else is an error naming the field.
     */
    fun scanned(payload: String) {
        val server = serverAddressFromQr(payload)
        if (server == null) {
            updateState {
                it.copy(phase = SignInPhase.Failed(UiError("这不是法律服务圈的二维码 Not a LawCircle station code", "server_url")))
            }
            return
        }
        edit { it.copy(serverUrl = server) }
    }

    /** Opens the phone's client for the typed account and signs in; on success the credentials are saved. */
    fun signIn(): Job = intent {
        val s = state.value
        if (s.busy) return@intent
        val username = s.username.trim()
        when {
            username.isEmpty() -> return@intent fail(UiError("请输入用户名或手机号 Enter your username or mobile number", "username"))
            s.password.isEmpty() -> return@intent fail(UiError("请输入密码 Enter your password", "password"))
        }
        updateState { it.copy(phase = SignInPhase.SigningIn) }
        val saved = SavedSignIn(s.serverUrl, username, s.password)
        var opened: LawCircleClient? = null
        try {
            opened = blocking { open(saved) }
            val account = opened.signIn()
            blocking { store.save(saved) }
            client?.close()
            client = opened
            opened = null
            updateState { it.copy(username = username, password = "", phase = SignInPhase.SignedIn(account, Home.of(account))) }
        } catch (e: LawCircleException.Unauthenticated) {
            // At sign-in, a refused session means the password (or the name) is wrong.
            fail(UiError("用户名或密码不正确 Wrong username or password", "password"))
        } catch (e: LawCircleException) {
            fail(e.toUiError())
        } catch (e: IOException) {
            fail(UiError("无法保存登录信息 Could not keep the sign-in: ${e.message}"))
        } finally {
            // A sign-in that failed half way leaves no open client behind.
            opened?.close()
        }
    }

    /**
     * At launch: the saved credentials and the account kept on the phone
     * sign the user in without the network; with none, the sign-in screen.
     * The job's result is in [state].
     */
    fun restore(): Job = intent {
        var opened: LawCircleClient? = null
        try {
            val saved = blocking { store.load() } ?: return@intent
            updateState { it.copy(serverUrl = saved.serverUrl, username = saved.username) }
            opened = blocking { open(saved) }
            val account = opened.account() ?: opened.signIn()
            client = opened
            opened = null
            updateState { it.copy(phase = SignInPhase.SignedIn(account, Home.of(account))) }
        } catch (e: LawCircleException) {
            fail(e.toUiError())
        } catch (e: IOException) {
            fail(UiError("无法读取登录信息 Could not read the saved sign-in: ${e.message}"))
        } finally {
            opened?.close()
        }
    }

    /**
     * Signs out: the server revokes the session, the phone forgets it and
     * the saved credentials. Refused while needs or punches wait in the
     * outbox unless [discardPending] (the screen asks first).
     */
    fun signOut(discardPending: Boolean = false): Job = intent {
        try {
            client?.signOut(discardPending)
            blocking { store.clear() }
            client?.close()
            client = null
            updateState { it.copy(password = "", phase = SignInPhase.Editing) }
        } catch (e: LawCircleException) {
            fail(e.toUiError())
        } catch (e: IOException) {
            fail(UiError("无法清除登录信息 Could not clear the saved sign-in: ${e.message}"))
        }
    }

    private fun fail(error: UiError) = updateState { it.copy(phase = SignInPhase.Failed(error)) }

    override fun close() {
        super.close()
        client?.close()
        client = null
    }

    companion object {
        /** The server address a station's QR code holds, if it holds one. */
        fun serverAddressFromQr(payload: String): String? {
            val text = payload.trim()
            val uri = try {
                URI(text)
            } catch (_: URISyntaxException) {
                return null
            }
            return when (uri.scheme?.lowercase()) {
                "lawcircle" -> {
                    if (uri.host != "connect") return null
                    val server = uri.rawQuery?.split('&')
                        ?.map { it.split('=', limit = 2) }
                        ?.firstOrNull { it.size == 2 && it[0] == "server" }
                        ?.let { java.net.URLDecoder.decode(it[1], Charsets.UTF_8) }
                        ?: return null
                    val inner = try {
                        URI(server)
                    } catch (_: URISyntaxException) {
                        return null
                    }
                    if (inner.scheme?.lowercase() in setOf("https", "http") && !inner.host.isNullOrEmpty()) server else null
                }
                "https", "http" -> if (!uri.host.isNullOrEmpty()) text else null
                else -> null
            }
        }
    }
}
