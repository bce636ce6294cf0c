package org.lawcircle.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.text.input.PasswordVisualTransformation
import androidx.compose.ui.unit.dp
import org.lawcircle.ffi.SmsCodePurpose
import org.lawcircle.phone.RegisterPresenter
import org.lawcircle.phone.RegisterState

sealed interface RegisterEvent {
    data class Phone(val value: String) : RegisterEvent
    data class Code(val value: String) : RegisterEvent
    data class DisplayName(val value: String) : RegisterEvent
    data class Password(val value: String) : RegisterEvent
    data object RequestCode : RegisterEvent
    data object Submit : RegisterEvent
}

fun RegisterPresenter.onEvent(e: RegisterEvent) {
    when (e) {
        is RegisterEvent.Phone -> setPhone(e.value)
        is RegisterEvent.Code -> setCode(e.value)
        is RegisterEvent.DisplayName -> setDisplayName(e.value)
        is RegisterEvent.Password -> setPassword(e.value)
        RegisterEvent.RequestCode -> requestCode()
        RegisterEvent.Submit -> submit()
    }
}

/** Registering (or signing in) with a mobile number and an SMS code. */
@Composable
fun RegisterScreen(state: RegisterState, onEvent: (RegisterEvent) -> Unit) {
    val t = strings
    val registering = state.purpose == SmsCodePurpose.REGISTER
    ScreenFrame(if (registering) t.register else t.smsSignIn, t.smsSubtitle) {
        val account = state.account
        if (account != null) {
            Notice(t.welcome(account.displayName), t.signedInAsRole(account.role), Tone.Success)
            return@ScreenFrame
        }
        Column(Modifier.verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(8.dp)) {
            OutlinedTextField(
                state.phone, { onEvent(RegisterEvent.Phone(it)) }, Modifier.fillMaxWidth(),
                label = { Text(t.phone) }, singleLine = true,
                isError = state.error?.field == "phone",
                keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Phone),
            )
            Row {
                OutlinedTextField(
                    state.code, { onEvent(RegisterEvent.Code(it)) }, Modifier.weight(1f),
                    label = { Text(t.code) }, singleLine = true,
                    isError = state.error?.field == "code",
                    keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.NumberPassword),
                )
                OutlinedButton(
                    { onEvent(RegisterEvent.RequestCode) }, Modifier.padding(start = 8.dp, top = 8.dp),
                    enabled = !state.busy,
                ) { Text(if (state.codeSent == null) t.getCode else t.getCodeAgain) }
            }
            state.codeSent?.let {
                Notice(t.codeSent, t.codeValid(shortTime(it.expiresAtMs), it.resendAfterSecs.toLong()))
            }
            if (registering) {
                OutlinedTextField(
                    state.displayName, { onEvent(RegisterEvent.DisplayName(it)) }, Modifier.fillMaxWidth(),
                    label = { Text(t.displayName) }, singleLine = true,
                    isError = state.error?.field == "display_name",
                )
                OutlinedTextField(
                    state.password, { onEvent(RegisterEvent.Password(it)) }, Modifier.fillMaxWidth(),
                    label = { Text(t.optionalPassword) }, singleLine = true,
                    visualTransformation = PasswordVisualTransformation(),
                    isError = state.error?.field == "password",
                )
            }
            if (state.busy) Loading(t.pleaseWait)
            ErrorNotice(state.error)
            Button({ onEvent(RegisterEvent.Submit) }, Modifier.fillMaxWidth(), enabled = !state.busy) {
                Text(if (registering) t.registerAndSignIn else t.signIn)
            }
        }
    }
}
