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
 */
class RegisterPresenter(
    private val client: LawCircleClient,
    scope: CoroutineScope,
    purpose: SmsCodePurpose = SmsCodePurpose.REGISTER,
    io: CoroutineDispatcher = Dispatchers.IO,
) : ScopedPresenter<RegisterState>(RegisterState(purpose = purpose), scope, io) {
    fun setPhone(phone: String) = updateState { it.copy(phone = phone, error = null) }

    fun setCode(code: String) = updateState { it.copy(code = code, error = null) }

    fun setDisplayName(name: String) = updateState { it.copy(displayName = name, error = null) }

    fun setPassword(password: String) = updateState { it.copy(password = password, error = null) }

    /** Asks for a code to the number entered. */
    fun requestCode(): Job = intent {
        val s = state.value
        if (s.busy) return@intent
        updateState { it.copy(busy = true, error = null) }
        try {
            val sent = client.requestSmsCode(s.phone, s.purpose)
            updateState { it.copy(busy = false, codeSent = sent) }
        } catch (e: LawCircleException) {
            updateState { it.copy(busy = false, error = e.toUiError()) }
        }
    }

    /** Registers (or signs in) with the code received. */
    fun submit(): Job = intent {
        val s = state.value
        if (s.busy || s.account != null) return@intent
        updateState { it.copy(busy = true, error = null) }
        try {
            val account = when (s.purpose) {
                SmsCodePurpose.REGISTER ->
                    client.register(s.phone, s.code, s.displayName, s.password.ifBlank { null })
                SmsCodePurpose.SIGN_IN -> client.signInWithCode(s.phone, s.code)
            }
            updateState { it.copy(busy = false, account = account) }
        } catch (e: LawCircleException) {
            updateState { it.copy(busy = false, error = e.toUiError()) }
        }
    }
}
