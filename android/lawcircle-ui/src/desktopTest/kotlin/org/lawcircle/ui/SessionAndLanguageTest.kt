@file:OptIn(ExperimentalTestApi::class)

package org.lawcircle.ui

import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.setValue
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performScrollTo
import androidx.compose.ui.test.runComposeUiTest
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import org.lawcircle.ffi.Account
import org.lawcircle.ffi.ClientConfig
import org.lawcircle.ffi.Credentials
import org.lawcircle.ffi.FacilityKind
import org.lawcircle.ffi.FenceVerdict
import org.lawcircle.ffi.LawCircleClient
import org.lawcircle.ffi.NeedCategory
import org.lawcircle.ffi.OrderState
import org.lawcircle.ffi.OutboxKind
import org.lawcircle.ffi.OutboxState
import org.lawcircle.ffi.PunchKind
import org.lawcircle.ffi.Role
import org.lawcircle.ffi.ServiceProduct
import org.lawcircle.ffi.Urgency
import org.lawcircle.ffi.Verdict
import org.lawcircle.phone.AppScreen
import org.lawcircle.phone.AppSession
import org.lawcircle.phone.ConnectivityState
import org.lawcircle.phone.Home
import org.lawcircle.phone.MemorySessionStore
import org.lawcircle.phone.OkHttpTransport
import org.lawcircle.phone.ClientLogin
import org.lawcircle.phone.SessionHooks
import org.lawcircle.phone.SignInPresenter
import java.io.File
import kotlin.test.assertEquals
import kotlin.test.assertIs
import kotlin.test.assertNull
import kotlin.test.assertTrue

/** The home's language toggle and sign-out, clicked through with the real session against the real server. */
class SessionAndLanguageTest {
    private val cjk = Regex("[\\u4e00-\\u9fff]")

    @Test
    fun `a resident switches the home to English, back to Chinese, signs out and lands on the sign-in screen`(): Unit = World().use { w ->
        val store = MemorySessionStore()
        val open = { s: ClientLogin ->
            LawCircleClient.open(
                ClientConfig(File(w.dir, "session-${s.username}/lawcircle.sqlite").path, s.serverUrl, Credentials(s.username, s.password)),
                OkHttpTransport(),
            )
        }
        val hooks = object : SessionHooks {
            override fun signedIn(client: LawCircleClient, account: Account) = Unit
            override fun signingOut(client: LawCircleClient) = Unit
            override fun signedOut() = Unit
        }
        withScope { scope ->
            AppSession(SignInPresenter(w.server.baseUrl, store, scope, open = open), hooks, scope).use { session ->
                runBlocking {
                    session.launch().join()
                    assertEquals(AppScreen.SignIn, session.state.value.screen)
                    session.signIn.setUsername(w.people.resident.username)
                    session.signIn.setPassword(w.people.resident.password)
                    session.signIn.signIn().join()
                    session.state.first { it.screen is AppScreen.Signed }
                }
                var language by mutableStateOf(Language.ZH)
                runComposeUiTest {
                    setContent {
                        val s by session.state.collectAsState()
                        LawCircleTheme(language) {
                            when (val screen = s.screen) {
                                is AppScreen.Signed -> HomeScreen(
                                    HomeState(screen.account, ConnectivityState.Online(1), null, s.unsentAtSignOut, s.error, language),
                                ) { e ->
                                    when (e) {
                                        is HomeEvent.SetLanguage -> language = e.language
                                        HomeEvent.SignOut -> session.signOut()
                                        HomeEvent.DiscardAndSignOut -> session.signOut(discardPending = true)
                                        HomeEvent.KeepSignedIn -> session.keepSignedIn()
                                        is HomeEvent.Open, HomeEvent.ChoosePush -> Unit
                                    }
                                }
                                AppScreen.SignIn -> {
                                    val signIn by session.signIn.state.collectAsState()
                                    SignInScreen(signIn) {}
                                }
                                AppScreen.Starting -> Loading(strings.opening)
                            }
                        }
                    }
                    onNodeWithText("就近查找").assertExists()
                    onNodeWithText("English").performScrollTo().performClick()
                    waitUntil(timeoutMillis = 5_000L) { language == Language.EN }
                    onNodeWithText("Longwan 15-minute legal service circle").assertExists()
                    onNodeWithText("Find nearby").assertExists()
                    onNodeWithText("My needs").assertExists()
                    onNodeWithText("中文").performScrollTo().performClick()
                    waitUntil(timeoutMillis = 5_000L) { language == Language.ZH }
                    onNodeWithText("我的需求").assertExists()
                    onNodeWithText("退出登录").performScrollTo().performClick()
                    waitUntil(timeoutMillis = 30_000L) { session.state.value.screen == AppScreen.SignIn }
                    onNodeWithText("账号登录").assertExists()
                }
                assertNull(store.saved, "signed out: the saved sign-in is forgotten")
            }
        }
    }

    @Test
    fun `sign-out with unsent work asks first, in both languages`() {
        val account = Account(
            id = 7, username = "volunteer", displayName = "王志愿", role = Role.VOLUNTEER, streetCode = null,
        )
        val asking = HomeState(account, ConnectivityState.Offline("no network"), null, unsentAtSignOut = 2uL)
        val events = mutableListOf<HomeEvent>()
        runComposeUiTest {
            setContent { LawCircleTheme { HomeScreen(asking) { events += it } } }
            onNodeWithText("还有 2 条内容没有发送").performScrollTo().assertExists()
            onNodeWithText("暂不退出").performScrollTo().performClick()
            onNodeWithText("丢弃并退出").performScrollTo().performClick()
        }
        assertEquals(listOf<HomeEvent>(HomeEvent.KeepSignedIn, HomeEvent.DiscardAndSignOut), events)
        shoot("home-sign-out-unsent") { HomeScreen(asking) {} }
        shoot("home-sign-out-unsent-en", language = Language.EN) { HomeScreen(asking.copy(language = Language.EN)) {} }
        shoot("sign-in-blank-en", language = Language.EN) {
            SignInScreen(org.lawcircle.phone.SignInState("https://fw.longwan.example")) {}
        }
    }

    @Test
    fun `the English table has English words for every code, the Chinese one Chinese`() {
        val en = EnStrings
        val zh = ZhStrings
        val words = buildList {
            NeedCategory.entries.forEach { add(en.category(it, "法律咨询") to zh.category(it, "法律咨询")) }
            (OrderState.entries + listOf(null)).forEach { add(en.orderState(it) to zh.orderState(it)) }
            Urgency.entries.forEach { add(en.urgency(it) to zh.urgency(it)) }
            ServiceProduct.entries.forEach { add(en.product(it) to zh.product(it)) }
            FacilityKind.entries.forEach { add(en.facilityKind(it) to zh.facilityKind(it)) }
            FenceVerdict.entries.forEach { add(en.verdict(it) to zh.verdict(it)) }
            PunchKind.entries.forEach { add(en.punch(it) to zh.punch(it)) }
            OutboxKind.entries.forEach { add(en.outboxKind(it) to zh.outboxKind(it)) }
            OutboxState.entries.forEach { add(en.outboxState(it) to zh.outboxState(it)) }
            Role.entries.forEach { add(en.role(it) to zh.role(it)) }
            Verdict.entries.forEach { add(en.assessment(it) to zh.assessment(it)) }
            Home.entries.forEach { add(en.home(it) to zh.home(it)) }
            Destination.entries.forEach {
                add(en.destinationTitle(it) to zh.destinationTitle(it))
                add(en.destinationHint(it) to zh.destinationHint(it))
            }
            listOf(
                "invalid_fix", "mock_location", "inside_fence", "within_margin", "partial_overlap", "outside_fence",
                "accuracy_too_poor", "stale_fix", "fix_after_punch", "impossible_speed", "clock_skew", "no_fence",
                "outside_shift", "no_fix", "a_code_from_a_newer_server",
            ).forEach { add(en.reason(it) to zh.reason(it)) }
            listOf("requester.name", "requester.phone", "description", "consent.given", "attachments[0]", "unknown").forEach {
                add(en.field(it) to zh.field(it))
                add(en.problem(it, "why") to zh.problem(it, "why"))
            }
        }
        for ((e, z) in words) {
            assertTrue(!cjk.containsMatchIn(e) && e.isNotBlank(), "English: $e")
            assertTrue(cjk.containsMatchIn(z), "Chinese: $z")
        }
        // Distinct codes read as distinct words in English too.
        assertEquals(OrderState.entries.size, OrderState.entries.map { en.orderState(it) }.toSet().size)
        assertIs<EnStrings>(Language.fromTag("en").strings)
        assertIs<ZhStrings>(Language.fromTag(null).strings)
        assertIs<ZhStrings>(Language.fromTag("fr").strings)
    }
}
