@file:OptIn(ExperimentalTestApi::class)

package org.lawcircle.ui

import org.lawcircle.ffi.Role
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performScrollTo
import androidx.compose.ui.test.performTextInput
import androidx.compose.ui.test.runComposeUiTest
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import org.lawcircle.ffi.PunchKind
import org.lawcircle.phone.ApplicationFormPresenter
import org.lawcircle.phone.ConnectivityState
import org.lawcircle.phone.FakeSms
import org.lawcircle.phone.LEGAL_AID
import org.lawcircle.phone.MyNeedsPresenter
import org.lawcircle.phone.OutboxPresenter
import org.lawcircle.phone.RegisterPresenter
import org.lawcircle.phone.str
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertTrue

/** Registering by SMS code, the home screen of each role, the online application forms. */
class AccountScreensTest {
    @Test
    fun `a newcomer registers by SMS code with taps and lands on the resident home`(): Unit = FakeSms.start().use { sms ->
        World(*sms.serverArgs.toTypedArray()).use { w ->
            val number = "13700004444"
            val client = w.phone(number, "a long passphrase")
            withScope { scope ->
                RegisterPresenter(client, scope).use { reg ->
                    shoot("register-blank") { RegisterScreen(reg.state.value) {} }
                    runComposeUiTest {
                        setContent {
                            val s by reg.state.collectAsState()
                            LawCircleTheme { RegisterScreen(s, reg::onEvent) }
                        }
                        onNodeWithText("手机号").performTextInput(number)
                        waitUntil(timeoutMillis = 5_000L) { reg.state.value.phone == number }
                        onNodeWithText("获取验证码").performClick()
                        waitUntil(timeoutMillis = 30_000L) { reg.state.value.codeSent != null }
                        onNodeWithText("验证码已发送").assertExists()
                    }
                    val code = sms.waitFor(number, FakeSms.CODE_TEMPLATE).str("code")
                    reg.setDisplayName("陈女士")
                    reg.setPassword("a long passphrase")
                    reg.setCode(if (code == "000000") "111111" else "000000")
                    runBlocking { reg.submit().join() }
                    assertEquals("code", reg.state.value.error?.field)
                    shoot("register-wrong-code") { RegisterScreen(reg.state.value) {} }
                    reg.setCode(code)
                    runComposeUiTest {
                        setContent {
                            val s by reg.state.collectAsState()
                            LawCircleTheme { RegisterScreen(s, reg::onEvent) }
                        }
                        onNodeWithText("注册并登录").performScrollTo().performClick()
                        waitUntil(timeoutMillis = 30_000L) { reg.state.value.account != null }
                        onNodeWithText("欢迎，陈女士").assertExists()
                    }
                    val account = assertNotNull(reg.state.value.account)
                    assertEquals(Role.RESIDENT, account.role)
                    val opened = mutableListOf<Destination>()
                    val home = HomeState(account, ConnectivityState.Online(1))
                    runComposeUiTest {
                        setContent { LawCircleTheme { HomeScreen(home) { opened += (it as HomeEvent.Open).destination } } }
                        onNodeWithText("陈女士（居民）").assertExists()
                        onNodeWithText("我的需求").performClick()
                        onNodeWithText("就近查找").performClick()
                    }
                    assertEquals(listOf(Destination.MyNeeds, Destination.FindNearest), opened)
                    shoot("home-resident") { HomeScreen(home) {} }
                    // The same home with the system's large text (130 %): it still fits.
                    shoot("home-resident-large-text", fontScale = 1.3f) { HomeScreen(home) {} }
                }
            }
        }
    }

    @Test
    fun `each role's home lists its work and the offline banner`(): Unit = World().use { w ->
        val volunteer = w.volunteer()
        val account = runBlocking { volunteer.signIn() }
        assertEquals(Role.VOLUNTEER, account.role)
        // The outbox badge from the real outbox of a phone that is offline:
        // the posts fetched online, then a punch made without a connection waits in it.
        runBlocking { volunteer.refreshCatalogue() }
        w.server.stop()
        runBlocking { volunteer.clockIn(w.people.postId, PunchKind.IN, w.fixAt(w.people.postLat, w.people.postLng), testClock.now()) }
        withScope { scope ->
            OutboxPresenter(volunteer, scope).use { outbox ->
                runBlocking {
                    outbox.start().join()
                    outbox.sync(0).join()
                }
                assertTrue(outbox.state.value.offline)
                shoot("outbox-offline") { OutboxScreen(outbox.state.value) {} }
                shoot("outbox-offline-en", language = Language.EN) { OutboxScreen(outbox.state.value) {} }
                assertEquals(1uL, outbox.state.value.counts?.pending)
                val home = HomeState(account, ConnectivityState.Offline("connection refused"), outbox.state.value.counts)
                assertEquals(Destination.ClockIn, home.destinations.first())
                shoot("home-volunteer-offline") { HomeScreen(home) {} }
                shoot("home-volunteer-offline-en", language = Language.EN) { HomeScreen(home) {} }
            }
        }
        // Lists that need the platform say so in words when it cannot be reached.
        withScope { scope ->
            MyNeedsPresenter(volunteer, scope).use { mine ->
                runBlocking { mine.refresh().join() }
                assertNotNull(mine.state.value.error)
                assertEquals("无法连接平台，请检查网络", ZhStrings.errorTitle(mine.state.value.error!!))
                shoot("my-needs-offline") { MyNeedsScreen(mine.state.value) {} }
            }
        }
        val signedOut = HomeState()
        assertEquals(listOf(Destination.SignIn, Destination.FindNearest), signedOut.destinations)
        shoot("home-signed-out") { HomeScreen(signedOut) {} }
    }

    @Test
    fun `the legal aid form is drawn from its schema and a tapped answer is checked and assessed`(): Unit = World().use { w ->
        val client = w.resident()
        withScope { scope ->
            ApplicationFormPresenter(client, scope).use { p ->
                runBlocking { p.load().join() }
                assertTrue(p.state.value.forms.isNotEmpty(), "${p.state.value.error}")
                shoot("applications") { ApplicationFormScreen(p.state.value) {} }
                val legalAid = p.state.value.forms.first { it.serviceCode == LEGAL_AID }
                runComposeUiTest {
                    setContent {
                        val s by p.state.collectAsState()
                        LawCircleTheme { ApplicationFormScreen(s) { e -> p.onEvent(e) { w.needFields() } } }
                    }
                    onNodeWithText(legalAid.titleZh).performClick()
                    waitUntil(timeoutMillis = 30_000L) { p.state.value.open?.assessment != null }
                    val choice = p.state.value.open!!.fields.first { it.spec.choices.isNotEmpty() }
                    onNodeWithText(choice.spec.choices.first().labelZh).performScrollTo().performClick()
                    waitUntil(timeoutMillis = 30_000L) { p.state.value.open?.field(choice.code)?.raw == choice.spec.choices.first().key }
                }
                shoot("application-legal-aid") { ApplicationFormScreen(p.state.value) {} }
            }
        }
    }
}
