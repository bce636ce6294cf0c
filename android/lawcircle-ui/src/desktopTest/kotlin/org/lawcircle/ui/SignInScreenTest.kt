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
import org.lawcircle.phone.MemoryCredentialStore
import org.lawcircle.phone.OkHttpTransport
import org.lawcircle.phone.SavedSignIn
import org.lawcircle.phone.SignInPhase
import org.lawcircle.phone.SignInPresenter
import java.io.File
import kotlin.test.assertEquals
import kotlin.test.assertIs
import kotlin.test.assertNotNull

/** Signing in with taps: a station's QR code, a wrong password, then the volunteer's home. */
class SignInScreenTest {
    @Test
    fun `a volunteer scans the station code, mistypes the password, signs in and lands on the volunteer home`(): Unit =
        World().use { w ->
            val store = MemoryCredentialStore()
            val open = { s: SavedSignIn ->
                LawCircleClient.open(
                    ClientConfig(File(w.dir, "signin-${s.username}/lawcircle.sqlite").path, s.serverUrl, Credentials(s.username, s.secret)),
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
}
