@file:OptIn(ExperimentalTestApi::class)

package org.lawcircle.ui

import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performTextInput
import androidx.compose.ui.test.runComposeUiTest
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import org.lawcircle.ffi.ClientConfig
import org.lawcircle.ffi.Credentials
import org.lawcircle.ffi.LawCircleClient
import org.lawcircle.phone.Home
import org.lawcircle.phone.MemorySessionStore
import org.lawcircle.phone.OkHttpTransport
import org.lawcircle.phone.ClientLogin
import org.lawcircle.phone.FakeSms
import org.lawcircle.phone.SignInMethod
import org.lawcircle.phone.SignInPhase
import org.lawcircle.phone.makeMobileAccount
import org.lawcircle.phone.str
import org.lawcircle.phone.SignInPresenter
import java.io.File
import kotlin.test.assertEquals
import kotlin.test.assertIs
import kotlin.test.assertNotNull

/** Signing in with taps: a station's QR code, a wrong password, then the volunteer's home; and by SMS code. */
class SignInScreenTest {
    @Test
    fun `a volunteer scans the station code, mistypes the password, signs in and lands on the volunteer home`(): Unit =
        World().use { w ->
            val store = MemorySessionStore()
            val open = { s: ClientLogin ->
                LawCircleClient.open(
                    ClientConfig(File(w.dir, "signin-${s.username}/lawcircle.sqlite").path, s.serverUrl, Credentials(s.username, s.password)),
                    OkHttpTransport(),
                )
            }
            withScope { scope ->
                SignInPresenter("https://fw.longwan.example", store, scope, open = open).use { p ->
                    shoot("sign-in-blank") { SignInScreen(p.state.value) {} }
                    var scans = 0
                    runComposeUiTest {
                        setContent {
                            val s by p.state.collectAsState()
                            LawCircleTheme { SignInScreen(s) { e -> p.onEvent(e, scan = { scans++ }) } }
                        }
                        onNodeWithText("扫描服务站二维码").performClick()
                        // What the camera read at the station.
                        p.scanned("lawcircle://connect?server=" + java.net.URLEncoder.encode(w.server.baseUrl, Charsets.UTF_8))
                        waitUntil(timeoutMillis = 5_000L) { p.state.value.serverUrl == w.server.baseUrl }
                        onNodeWithText("用户名或手机号").performTextInput(w.people.volunteer.username)
                        onNodeWithText("密码").performTextInput("wrong password")
                        waitUntil(timeoutMillis = 5_000L) { p.state.value.password == "wrong password" }
                        onNodeWithText("登录").performClick()
                        waitUntil(timeoutMillis = 30_000L) { p.state.value.error != null }
                    }
                    assertEquals(1, scans, "the scan button asks the app for the camera")
                    shoot("sign-in-wrong-password") { SignInScreen(p.state.value) {} }
                    shoot("sign-in-wrong-password-en", language = Language.EN) { SignInScreen(p.state.value) {} }
                    p.setPassword(w.people.volunteer.password)
                    runComposeUiTest {
                        setContent {
                            val s by p.state.collectAsState()
                            LawCircleTheme { SignInScreen(s) { e -> p.onEvent(e) } }
                        }
                        onNodeWithText("登录").performClick()
                        waitUntil(timeoutMillis = 30_000L) { p.state.value.account != null }
                        onNodeWithText("已登录为志愿者，进入志愿者首页。").assertExists()
                    }
                    val signedIn = assertIs<SignInPhase.SignedIn>(p.state.value.phase)
                    assertEquals(Home.VOLUNTEER, signedIn.home)
                    assertNotNull(store.saved)
                    shoot("sign-in-done") { SignInScreen(p.state.value) {} }
                    shoot("sign-in-large-text", fontScale = 1.3f) { SignInScreen(p.state.value.copy(phase = SignInPhase.Editing)) {} }
                    runBlocking { p.signOut().join() }
                }
            }
        }

    @Test
    fun `a resident switches to the SMS code, asks for one, types it and lands home with only the session kept`(): Unit =
        FakeSms.start().use { sms ->
            World(*sms.serverArgs.toTypedArray()).use { w ->
                val number = "13700005555"
                w.server.makeMobileAccount(w.people, number)
                val store = MemorySessionStore()
                val open = { s: ClientLogin ->
                    LawCircleClient.open(
                        ClientConfig(File(w.dir, "code-${s.username}/lawcircle.sqlite").path, s.serverUrl, Credentials(s.username, s.password)),
                        OkHttpTransport(),
                    )
                }
                withScope { scope ->
                    SignInPresenter(w.server.baseUrl, store, scope, open = open).use { p ->
                        runComposeUiTest {
                            setContent {
                                val s by p.state.collectAsState()
                                LawCircleTheme { SignInScreen(s) { e -> p.onEvent(e) } }
                            }
                            onNodeWithText("用短信验证码登录").performClick()
                            waitUntil(timeoutMillis = 5_000L) { p.state.value.method == SignInMethod.SMS_CODE }
                            onNodeWithText("手机号").performTextInput(number)
                            waitUntil(timeoutMillis = 5_000L) { p.state.value.username == number }
                            onNodeWithText("获取验证码").performClick()
                            waitUntil(timeoutMillis = 30_000L) { p.state.value.codeSent != null || p.state.value.error != null }
                            onNodeWithText("验证码已发送").assertExists()
                        }
                        val code = sms.waitFor(number, FakeSms.CODE_TEMPLATE).str("code")
                        shoot("sign-in-sms-code-sent") { SignInScreen(p.state.value) {} }
                        shoot("sign-in-sms-code-sent-en", language = Language.EN) { SignInScreen(p.state.value) {} }
                        runComposeUiTest {
                            setContent {
                                val s by p.state.collectAsState()
                                LawCircleTheme { SignInScreen(s) { e -> p.onEvent(e) } }
                            }
                            onNodeWithText("验证码").performTextInput(code)
                            waitUntil(timeoutMillis = 5_000L) { p.state.value.code == code }
                            onNodeWithText("登录").performClick()
                            waitUntil(timeoutMillis = 30_000L) { p.state.value.account != null || p.state.value.error != null }
                            onNodeWithText("已登录为居民，进入居民首页。").assertExists()
                        }
                        assertEquals(Home.RESIDENT, assertIs<SignInPhase.SignedIn>(p.state.value.phase).home)
                        val kept = assertNotNull(store.saved)
                        assertEquals(number, kept.username)
                        runBlocking { p.signOut().join() }
                    }
                }
            }
        }
}
