package org.lawcircle.phone

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import org.lawcircle.ffi.Account
import org.lawcircle.ffi.LawCircleClient
import org.lawcircle.ffi.LawCircleException
import org.lawcircle.ffi.SmsCodePurpose
import org.lawcircle.ffi.SmsCodeSent

/** The sign-up / sign-in by SMS code screen (注册 / 验证码登录). */
data class RegisterState(
    /** [SmsCodePurpose.REGISTER] makes an account; [SmsCodePurpose.SIGN_IN] signs in to one. */
    val purpose: SmsCodePurpose = SmsCodePurpose.REGISTER,
    val phone: String = "",
    val code: String = "",
    /** Registering only: how the resident is addressed. */
    val displayName: String = "",
    /** Registering only, optional: without one the account signs in by code. */
    val password: String = "",
    /** The code is on its way (valid until [SmsCodeSent.expiresAt]). */
    val codeSent: SmsCodeSent? = null,
    val busy: Boolean = false,
    /** Signed in: the screen moves on. */
    val account: Account? = null,
    val error: UiError? = null,
)

/**
 * A resident registers with a mainland mobile number verified by an SMS
 * code, or signs in with a code. The number, the code and the password
 * are checked by the core and the server; their refusals name the field.
 *
 * Before anyone is signed in there is no client yet: [clientFor] gives
 * the one for the number typed (the sign-in screen opens it on its server,
 * `SignInPresenter.registration`), asked again at each step so a number
 * changed meanwhile gets its own. [onSignedIn] hands the signed-in client
 * over (the session then shows the home).
 */
class RegisterPresenter(
    private val clientFor: suspend (phone: String) -> LawCircleClient,
    scope: CoroutineScope,
    purpose: SmsCodePurpose = SmsCodePurpose.REGISTER,
    io: CoroutineDispatcher = Dispatchers.IO,
    private val onSignedIn: (LawCircleClient, Account) -> Unit = { _, _ -> },
) : ScopedPresenter<RegisterState>(RegisterState(purpose = purpose), scope, io) {
    /** On a client that is open already (and whose owner adopts the sign-in itself). */
    constructor(
        client: LawCircleClient,
        scope: CoroutineScope,
        purpose: SmsCodePurpose = SmsCodePurpose.REGISTER,
        io: CoroutineDispatcher = Dispatchers.IO,
    ) : this({ _: String -> client }, scope, purpose, io)

    fun setPhone(phone: String) = updateState { it.copy(phone = phone, error = null) }

    fun setCode(code: String) = updateState { it.copy(code = code, error = null) }

    fun setDisplayName(name: String) = updateState { it.copy(displayName = name, error = null) }

    fun setPassword(password: String) = updateState { it.copy(password = password, error = null) }

    /** Asks for a code to the number entered. */
    fun requestCode(): Job = intent {
        val s = state.value
        if (s.busy) return@intent
        val phone = s.phone.trim()
        if (phone.isEmpty()) return@intent updateState { it.copy(error = UiError("请输入手机号 Enter your mobile number", "phone")) }
        updateState { it.copy(busy = true, error = null) }
        try {
            val sent = clientFor(phone).requestSmsCode(phone, s.purpose)
            updateState { it.copy(busy = false, codeSent = sent) }
        } catch (e: LawCircleException) {
            updateState { it.copy(busy = false, error = e.toUiError()) }
        }
    }

    /** Registers (or signs in) with the code received. */
    fun submit(): Job = intent {
        val s = state.value
        if (s.busy || s.account != null) return@intent
        val phone = s.phone.trim()
        if (phone.isEmpty()) return@intent updateState { it.copy(error = UiError("请输入手机号 Enter your mobile number", "phone")) }
        updateState { it.copy(busy = true, error = null) }
        try {
            val client = clientFor(phone)
            val account = when (s.purpose) {
                SmsCodePurpose.REGISTER ->
                    client.register(phone, s.code, s.displayName, s.password.ifBlank { null })
                SmsCodePurpose.SIGN_IN -> client.signInWithCode(phone, s.code)
            }
            onSignedIn(client, account)
            updateState { it.copy(busy = false, account = account) }
        } catch (e: LawCircleException) {
            updateState { it.copy(busy = false, error = e.toUiError()) }
        }
    }
}
