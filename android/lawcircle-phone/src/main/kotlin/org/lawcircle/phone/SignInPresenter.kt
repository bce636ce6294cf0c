package org.lawcircle.phone

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import org.lawcircle.ffi.Account
import org.lawcircle.ffi.LawCircleClient
import org.lawcircle.ffi.LawCircleException
import org.lawcircle.ffi.Role
import org.lawcircle.ffi.SessionStore
import org.lawcircle.ffi.SmsCodePurpose
import org.lawcircle.ffi.SmsCodeSent

/**
 * What the app needs to open the phone's client: the server, who signs
 * in, and the password typed just now (blank when a kept session is taken
 * up, or for a sign-in by SMS code). Only the library's session store
 * keeps anything between launches: the session's token, never the
 * password. The password is left out of [toString].
 */
data class ClientLogin(val serverUrl: String, val username: String, val password: String = "") {
    override fun toString(): String = "ClientLogin(serverUrl=$serverUrl, username=$username)"
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

/** How the user signs in. */
enum class SignInMethod {
    /** Username or mobile number and password. */
    PASSWORD,

    /** A mainland mobile number and a code sent to it by SMS. */
    SMS_CODE,
}

/** What the sign-in screen shows. The password and the code are left out of [toString]. */
data class SignInState(
    /** The platform's address: the build's default, or a station's QR code. */
    val serverUrl: String,
    /** The username or mobile number (the mobile number for a sign-in by code). */
    val username: String = "",
    /** Cleared once used: nothing keeps the password, the session store keeps the token. */
    val password: String = "",
    val method: SignInMethod = SignInMethod.PASSWORD,
    /** The SMS code typed (sign-in by code). */
    val code: String = "",
    /** A code is on its way to [username] (sign-in by code). */
    val codeSent: SmsCodeSent? = null,
    val phase: SignInPhase = SignInPhase.Editing,
) {
    val busy: Boolean get() = phase == SignInPhase.SigningIn
    val error: UiError? get() = (phase as? SignInPhase.Failed)?.error
    val account: Account? get() = (phase as? SignInPhase.SignedIn)?.account

    override fun toString(): String =
        "SignInState(serverUrl=$serverUrl, username=$username, method=$method, codeSent=${codeSent != null}, phase=$phase)"
}

/**
 * Signing in (username or mobile number and password, or a mobile number
 * and an SMS code), restoring the session at launch (offline too) and
 * signing out. The session (its bearer token and account) is kept by the
 * library's [SessionStore] (the Android Keystore in the app,
 * `KeystoreSessionStore`): the library saves it at every sign-in and
 * clears it at sign-out, and at launch the client takes it back up
 * without the network. The password is never kept. [open] opens the
 * phone's client (the app passes its database path and transport); the
 * opened client is what every other presenter takes, published in [client].
 */
class SignInPresenter(
    serverUrl: String,
    private val store: SessionStore,
    scope: CoroutineScope,
    io: CoroutineDispatcher = Dispatchers.IO,
    /** The address and name typed so far survive a rotation here (never the password). */
    private val saved: SavedStateStore? = null,
    private val open: (ClientLogin) -> LawCircleClient,
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

    /** The client a code was asked on (sign-in by code): the same one signs in with it. */
    private var codeClient: LawCircleClient? = null

    fun setServerUrl(value: String) = edit { it.copy(serverUrl = value.trim(), codeSent = null) }

    fun setUsername(value: String) = edit { it.copy(username = value, codeSent = if (value.trim() == it.username.trim()) it.codeSent else null) }

    fun setPassword(value: String) = edit { it.copy(password = value) }

    fun setCode(value: String) = edit { it.copy(code = value) }

    /** Password or SMS code; switching forgets what the other method typed. */
    fun setMethod(method: SignInMethod) = edit { it.copy(method = method, password = "", code = "", codeSent = null) }

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
     * A station's QR code ([StationCode]): the address it gives replaces
     * the one shown. Anything else is an error naming the field.
     */
    fun scanned(payload: String) {
        val server = serverAddressFromQr(payload)
        if (server == null) {
            updateState {
                it.copy(phase = SignInPhase.Failed(UiError("这不是法律服务圈的二维码 Not a LawCircle station code", "server_url")))
            }
            return
        }
        edit { it.copy(serverUrl = server, codeSent = null) }
    }

    /**
     * The scanner read no code ([message] says why, in words: no code in
     * the picture, a picture that cannot be read): shown on the address
     * field, which keeps its value.
     */
    fun scanFailed(message: String) = updateState { it.copy(phase = SignInPhase.Failed(UiError(message, "server_url"))) }

    /** Opens the phone's client for the typed account and signs in; the library's session store keeps the session. */
    fun signIn(): Job = intent {
        val s = state.value
        if (s.busy) return@intent
        val username = s.username.trim()
        when {
            username.isEmpty() -> return@intent fail(UiError("请输入用户名或手机号 Enter your username or mobile number", "username"))
            s.password.isEmpty() -> return@intent fail(UiError("请输入密码 Enter your password", "password"))
        }
        updateState { it.copy(phase = SignInPhase.SigningIn) }
        var opened: LawCircleClient? = null
        try {
            val c = blocking { open(ClientLogin(s.serverUrl, username, s.password)) }
            opened = c
            blocking { c.useSessionStore(store) }
            val account = c.signIn()
            adopt(c)
            opened = null
            updateState { it.copy(username = username, password = "", phase = SignInPhase.SignedIn(account, Home.of(account))) }
        } catch (e: LawCircleException.Unauthenticated) {
            // At sign-in, a refused session means the password (or the name) is wrong.
            fail(UiError("用户名或密码不正确 Wrong username or password", "password"))
        } catch (e: LawCircleException) {
            fail(e.toUiError())
        } finally {
            // A sign-in that failed half way leaves no open client behind.
            opened?.close()
        }
    }

    /** Sign-in by code: asks the server to text a code to the mobile number typed. */
    fun requestCode(): Job = intent {
        val s = state.value
        if (s.busy) return@intent
        val phone = s.username.trim()
        if (phone.isEmpty()) return@intent fail(UiError("请输入手机号 Enter your mobile number", "phone"))
        updateState { it.copy(phase = SignInPhase.SigningIn) }
        try {
            val c = codeClientFor(s.serverUrl, phone)
            val sent = c.requestSmsCode(phone, SmsCodePurpose.SIGN_IN)
            updateState { it.copy(username = phone, codeSent = sent, phase = SignInPhase.Editing) }
        } catch (e: LawCircleException) {
            fail(e.toUiError())
        }
    }

    /** Sign-in by code: the code received signs in; the library's session store keeps the session. */
    fun signInWithCode(): Job = intent {
        val s = state.value
        if (s.busy) return@intent
        val phone = s.username.trim()
        if (phone.isEmpty()) return@intent fail(UiError("请输入手机号 Enter your mobile number", "phone"))
        val c = codeClient?.takeIf { s.codeSent != null && it.userId() == phone && it.serverUrl() == s.serverUrl.trimEnd('/') }
            ?: return@intent fail(UiError("请先获取验证码 Ask for a code first", "code"))
        if (s.code.isBlank()) return@intent fail(UiError("请输入验证码 Enter the code", "code"))
        updateState { it.copy(phase = SignInPhase.SigningIn) }
        try {
            val account = c.signInWithCode(phone, s.code.trim())
            codeClient = null
            adopt(c)
            updateState { it.copy(code = "", codeSent = null, phase = SignInPhase.SignedIn(account, Home.of(account))) }
        } catch (e: LawCircleException) {
            fail(e.toUiError())
        }
    }

    /**
     * The registration screen's presenter (注册), on the server this screen
     * shows: its client is opened for the number typed, as for a sign-in by
     * code (the session store keeps what registering signs in), and a
     * registration that succeeds signs in here: the session goes to the
     * home. The caller closes it when the screen goes; the client stays
     * this presenter's.
     */
    fun registration(purpose: SmsCodePurpose = SmsCodePurpose.REGISTER): RegisterPresenter =
        RegisterPresenter({ phone -> codeClientFor(state.value.serverUrl, phone) }, scope, purpose, io, onSignedIn = ::registered)

    /** A registration (or a sign-in by code) on [opened] succeeded: it is the signed-in client now. */
    private fun registered(opened: LawCircleClient, account: Account) {
        if (codeClient === opened) codeClient = null
        adopt(opened)
        updateState {
            it.copy(
                username = account.username, password = "", code = "", codeSent = null,
                phase = SignInPhase.SignedIn(account, Home.of(account)),
            )
        }
    }

    /** The client for a sign-in by code (opened for the number, no password), kept between asking and using the code. */
    private suspend fun codeClientFor(serverUrl: String, phone: String): LawCircleClient {
        codeClient?.let { if (it.userId() == phone && it.serverUrl() == serverUrl.trimEnd('/')) return it }
        codeClient?.close()
        codeClient = null
        val opened = blocking { open(ClientLogin(serverUrl, phone)) }
        try {
            blocking { opened.useSessionStore(store) }
        } catch (e: LawCircleException) {
            opened.close()
            throw e
        }
        codeClient = opened
        return opened
    }

    private fun adopt(opened: LawCircleClient) {
        if (client !== opened) client?.close()
        client = opened
    }

    /**
     * At launch: the session the store kept (its token, and the account)
     * signs the user in without the network; with none, the sign-in
     * screen. The job's result is in [state].
     */
    fun restore(): Job = intent {
        var opened: LawCircleClient? = null
        try {
            val kept = blocking { store.load() } ?: return@intent
            updateState { it.copy(serverUrl = kept.serverUrl, username = kept.username) }
            val c = blocking { open(ClientLogin(kept.serverUrl, kept.username)) }
            opened = c
            val account = blocking { c.useSessionStore(store) } ?: return@intent
            client = c
            opened = null
            updateState { it.copy(phase = SignInPhase.SignedIn(account, Home.of(account))) }
        } catch (e: LawCircleException) {
            fail(e.toUiError())
        } finally {
            opened?.close()
        }
    }

    /**
     * Signs out: the server revokes the session, the phone forgets it (the
     * library clears the session store). Refused while needs or punches
     * wait in the outbox unless [discardPending] (the screen asks first).
     */
    fun signOut(discardPending: Boolean = false): Job = intent {
        try {
            val c = client
            if (c != null) c.signOut(discardPending) else blocking { store.clear() }
            c?.close()
            client = null
            updateState { it.copy(password = "", code = "", codeSent = null, phase = SignInPhase.Editing) }
        } catch (e: LawCircleException) {
            fail(e.toUiError())
        }
    }

    private fun fail(error: UiError) = updateState { it.copy(phase = SignInPhase.Failed(error)) }

    override fun close() {
        super.close()
        client?.close()
        client = null
        codeClient?.close()
        codeClient = null
    }

    companion object {
        /** The server address a station's QR code ([StationCode]) holds, if it holds one the app accepts. */
        fun serverAddressFromQr(payload: String): String? = (StationCode.parse(payload) as? StationCode.Parsed.Server)?.url
    }
}
