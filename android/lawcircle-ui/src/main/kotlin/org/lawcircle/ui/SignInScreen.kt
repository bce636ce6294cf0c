package org.lawcircle.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
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
import org.lawcircle.phone.SignInPhase
import org.lawcircle.phone.SignInPresenter
import org.lawcircle.phone.SignInState

sealed interface SignInEvent {
    data class ServerUrl(val value: String) : SignInEvent
    data class Username(val value: String) : SignInEvent
    data class Password(val value: String) : SignInEvent

    /** The app opens the camera's QR scanner and passes what it read to [SignInPresenter.scanned]. */
    data object ScanStationCode : SignInEvent
    data object Submit : SignInEvent

    /** Sign in by SMS code or register instead (the register screen). */
    data object UseSmsCode : SignInEvent
}

/** The presenter's intents for the screen's events; the two that leave the screen are the app's. */
fun SignInPresenter.onEvent(e: SignInEvent, scan: () -> Unit = {}, smsCode: () -> Unit = {}) {
    when (e) {
        is SignInEvent.ServerUrl -> setServerUrl(e.value)
        is SignInEvent.Username -> setUsername(e.value)
        is SignInEvent.Password -> setPassword(e.value)
        SignInEvent.ScanStationCode -> scan()
        SignInEvent.Submit -> signIn()
        SignInEvent.UseSmsCode -> smsCode()
    }
}

/** The home's name, as the signed-in notice says it. */
fun homeName(home: Home): String = when (home) {
    Home.RESIDENT -> "居民首页"
    Home.VOLUNTEER -> "志愿者首页"
    Home.LAWYER -> "律师首页"
    Home.CONSOLE -> "居民首页（管理工作请使用网页工作台）"
}

/** Signing in with a username or mobile number and a password, on the station's platform. */
@Composable
fun SignInScreen(state: SignInState, onEvent: (SignInEvent) -> Unit) {
    ScreenFrame("账号登录", "龙湾 15 分钟法律服务圈") {
        val phase = state.phase
        if (phase is SignInPhase.SignedIn) {
            Notice(
                "欢迎，${phase.account.displayName}",
                "已登录为${roleName(phase.account.role)}，进入${homeName(phase.home)}。",
                Tone.Success,
            )
            return@ScreenFrame
        }
        Column(Modifier.verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(8.dp)) {
            OutlinedTextField(
                state.serverUrl, { onEvent(SignInEvent.ServerUrl(it)) }, Modifier.fillMaxWidth(),
                label = { Text("平台地址") }, singleLine = true,
                isError = state.error?.field == "server_url",
                keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Uri),
            )
            OutlinedButton({ onEvent(SignInEvent.ScanStationCode) }, Modifier.fillMaxWidth(), enabled = !state.busy) {
                Text("扫描服务站二维码")
            }
            OutlinedTextField(
                state.username, { onEvent(SignInEvent.Username(it)) }, Modifier.fillMaxWidth(),
                label = { Text("用户名或手机号") }, singleLine = true,
                isError = state.error?.field == "username",
            )
            OutlinedTextField(
                state.password, { onEvent(SignInEvent.Password(it)) }, Modifier.fillMaxWidth(),
                label = { Text("密码") }, singleLine = true,
                visualTransformation = PasswordVisualTransformation(),
                keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Password),
                isError = state.error?.field == "password",
            )
            if (state.busy) Loading("正在登录…")
            ErrorNotice(state.error)
            Button({ onEvent(SignInEvent.Submit) }, Modifier.fillMaxWidth(), enabled = !state.busy) { Text("登录") }
            TextButton({ onEvent(SignInEvent.UseSmsCode) }, Modifier.fillMaxWidth(), enabled = !state.busy) {
                Text("没有密码？用短信验证码登录或注册")
            }
        }
    }
}
