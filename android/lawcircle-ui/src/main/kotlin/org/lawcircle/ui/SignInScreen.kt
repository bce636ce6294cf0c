package org.lawcircle.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.text.input.PasswordVisualTransformation
import androidx.compose.ui.unit.dp
import org.lawcircle.phone.Home
import org.lawcircle.phone.SignInMethod
import org.lawcircle.phone.SignInPhase
import org.lawcircle.phone.SignInPresenter
import org.lawcircle.phone.SignInState

sealed interface SignInEvent {
    data class ServerUrl(val value: String) : SignInEvent
    data class Username(val value: String) : SignInEvent
    data class Password(val value: String) : SignInEvent

    /** Password or SMS code. */
    data class Method(val method: SignInMethod) : SignInEvent
    data class Code(val value: String) : SignInEvent

    /** Sign-in by code: text a code to the number typed. */
    data object RequestCode : SignInEvent

    /** The app opens the camera's QR scanner and passes what it read to [SignInPresenter.scanned]. */
    data object ScanStationCode : SignInEvent
    data object Submit : SignInEvent

    /** No account yet: register with an SMS code (the register screen). */
    data object UseSmsCode : SignInEvent
}

/** The presenter's intents for the screen's events; the two that leave the screen are the app's. */
fun SignInPresenter.onEvent(e: SignInEvent, scan: () -> Unit = {}, smsCode: () -> Unit = {}) {
    when (e) {
        is SignInEvent.ServerUrl -> setServerUrl(e.value)
        is SignInEvent.Username -> setUsername(e.value)
        is SignInEvent.Password -> setPassword(e.value)
        is SignInEvent.Method -> setMethod(e.method)
        is SignInEvent.Code -> setCode(e.value)
        SignInEvent.RequestCode -> requestCode()
        SignInEvent.ScanStationCode -> scan()
        SignInEvent.Submit -> if (state.value.method == SignInMethod.SMS_CODE) signInWithCode() else signIn()
        SignInEvent.UseSmsCode -> smsCode()
    }
}

/** Signing in with a username or mobile number and a password, or a mobile number and an SMS code, on the station's platform. */
@Composable
fun SignInScreen(state: SignInState, onEvent: (SignInEvent) -> Unit) {
    val t = strings
    ScreenFrame(t.signInTitle, t.appTitle) {
        val phase = state.phase
        if (phase is SignInPhase.SignedIn) {
            Notice(
                t.welcome(phase.account.displayName),
                t.signedInAs(phase.account.role, phase.home),
                Tone.Success,
            )
            return@ScreenFrame
        }
        Column(Modifier.verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(8.dp)) {
            OutlinedTextField(
                state.serverUrl, { onEvent(SignInEvent.ServerUrl(it)) }, Modifier.fillMaxWidth(),
                label = { Text(t.serverAddress) }, singleLine = true,
                isError = state.error?.field == "server_url",
                keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Uri),
            )
            OutlinedButton({ onEvent(SignInEvent.ScanStationCode) }, Modifier.fillMaxWidth(), enabled = !state.busy) {
                Text(t.scanStationCode)
            }
            val byCode = state.method == SignInMethod.SMS_CODE
            OutlinedTextField(
                state.username, { onEvent(SignInEvent.Username(it)) }, Modifier.fillMaxWidth(),
                label = { Text(if (byCode) t.phone else t.usernameOrPhone) }, singleLine = true,
                isError = state.error?.field == "username" || state.error?.field == "phone",
                keyboardOptions = KeyboardOptions(keyboardType = if (byCode) KeyboardType.Phone else KeyboardType.Text),
            )
            if (byCode) {
                Row {
                    OutlinedTextField(
                        state.code, { onEvent(SignInEvent.Code(it)) }, Modifier.weight(1f),
                        label = { Text(t.code) }, singleLine = true,
                        isError = state.error?.field == "code",
                        keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.NumberPassword),
                    )
                    OutlinedButton(
                        { onEvent(SignInEvent.RequestCode) }, Modifier.padding(start = 8.dp, top = 8.dp),
                        enabled = !state.busy,
                    ) { Text(if (state.codeSent == null) t.getCode else t.getCodeAgain) }
                }
                state.codeSent?.let {
                    Notice(t.codeSent, t.codeValid(shortTime(it.expiresAtMs), it.resendAfterSecs.toLong()))
                }
            } else {
                OutlinedTextField(
                    state.password, { onEvent(SignInEvent.Password(it)) }, Modifier.fillMaxWidth(),
                    label = { Text(t.password) }, singleLine = true,
                    visualTransformation = PasswordVisualTransformation(),
                    keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Password),
                    isError = state.error?.field == "password",
                )
            }
            if (state.busy) Loading(t.signingIn)
            ErrorNotice(state.error)
            Button({ onEvent(SignInEvent.Submit) }, Modifier.fillMaxWidth(), enabled = !state.busy) { Text(t.signIn) }
            TextButton(
                { onEvent(SignInEvent.Method(if (byCode) SignInMethod.PASSWORD else SignInMethod.SMS_CODE)) },
                Modifier.fillMaxWidth(), enabled = !state.busy,
            ) { Text(if (byCode) t.signInWithPassword else t.signInWithSmsCode) }
            TextButton({ onEvent(SignInEvent.UseSmsCode) }, Modifier.fillMaxWidth(), enabled = !state.busy) {
                Text(t.registerWithSmsCode)
            }
        }
    }
}
