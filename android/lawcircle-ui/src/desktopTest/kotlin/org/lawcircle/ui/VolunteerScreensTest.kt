@file:OptIn(ExperimentalTestApi::class)

package org.lawcircle.ui

import org.lawcircle.ffi.OrderState
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.onNodeWithContentDescription
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performScrollTo
import androidx.compose.ui.test.performTextInput
import androidx.compose.ui.test.runComposeUiTest
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import org.lawcircle.ffi.FenceVerdict
import org.lawcircle.phone.ClockInPresenter
import org.lawcircle.phone.NewNeedPresenter
import org.lawcircle.phone.OrderOffersPresenter
import org.lawcircle.phone.OutboxPresenter
import org.lawcircle.phone.RatingLinkPresenter
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertTrue

/** A volunteer's screens: clock in at the post, grab an offer, work it, resolve it. */
class VolunteerScreensTest {
    @Test
    fun `clock in shows the fence check in words and a tap punches`(): Unit = World().use { w ->
        val client = w.volunteer()
        runBlocking { client.signIn() }
        withScope { scope ->
            ClockInPresenter(client, scope, testClock).use { p ->
                runBlocking { p.refresh().join() }
                shoot("clock-in-no-fix") { ClockInScreen(p.state.value) {} }
                // 1 km north of the post: outside, and the screen says why.
                runBlocking { p.onFix(w.fixAt(w.people.postLat + 0.009, w.people.postLng)).join() }
                assertEquals(FenceVerdict.OUTSIDE, p.state.value.check?.verdict)
                shoot("clock-in-outside") { ClockInScreen(p.state.value) {} }
                // At the post: inside; a tap on 签到 punches.
                runBlocking { p.onFix(w.fixAt(w.people.postLat, w.people.postLng)).join() }
                assertEquals(FenceVerdict.INSIDE, p.state.value.check?.verdict, "${p.state.value.check}")
                shoot("clock-in-inside") { ClockInScreen(p.state.value) {} }
                runComposeUiTest {
                    setContent {
                        val s by p.state.collectAsState()
                        LawCircleTheme { ClockInScreen(s, p::onEvent) }
                    }
                    onNodeWithText("现在签到：在签到范围内").assertExists()
                    onNodeWithText("签到").performScrollTo().performClick()
                    waitUntil(timeoutMillis = 30_000L) { p.state.value.outcome != null }
                    onNodeWithText("签到已记录").performScrollTo().assertExists()
                }
                assertEquals(FenceVerdict.INSIDE, p.state.value.outcome?.verdict)
                shoot("clock-in-done") { ClockInScreen(p.state.value) {} }
                shoot("clock-in-done-en", language = Language.EN) { ClockInScreen(p.state.value) {} }
            }
        }
    }

    @Test
    fun `an offer arrives live, is grabbed, started and resolved by taps`(): Unit = World().use { w ->
        val volunteer = w.volunteer()
        val resident = w.resident()
        runBlocking { volunteer.signIn() }
        withScope { scope ->
            OrderOffersPresenter(volunteer, w.here, scope).use { offers ->
                offers.start()
                waitFor { offers.state.value.live }
                shoot("offers-empty") { OrderOffersScreen(offers.state.value) {} }
                // A resident nearby files a consultation and it is delivered.
                val need = NewNeedPresenter(resident, scope, initial = w.needFields())
                val outbox = OutboxPresenter(resident, scope)
                runBlocking {
                    need.submit().join()
                    outbox.start().join()
                    outbox.sync(30_000).join()
                }
                need.close()
                outbox.close()
                waitFor { offers.state.value.offers.isNotEmpty() }
                val offer = offers.state.value.offers.first()
                shoot("offers-live") { OrderOffersScreen(offers.state.value) {} }
                shoot("offers-live-en", language = Language.EN) { OrderOffersScreen(offers.state.value) {} }
                runComposeUiTest {
                    setContent {
                        val s by offers.state.collectAsState()
                        LawCircleTheme { OrderOffersScreen(s, offers::onEvent) }
                    }
                    onNodeWithText("抢单").performScrollTo().performClick()
                    waitUntil(timeoutMillis = 30_000L) { offers.state.value.current?.id == offer.id }
                    onNodeWithText("状态：已接单").assertExists()
                }
                shoot("offers-grabbed") { OrderOffersScreen(offers.state.value) {} }
                shoot("offers-grabbed-en", language = Language.EN) { OrderOffersScreen(offers.state.value) {} }
                runComposeUiTest {
                    setContent {
                        val s by offers.state.collectAsState()
                        LawCircleTheme { OrderOffersScreen(s, offers::onEvent) }
                    }
                    onNodeWithText("开始服务").performClick()
                    waitUntil(timeoutMillis = 30_000L) { offers.state.value.current?.state == OrderState.IN_PROGRESS }
                    onNodeWithText("状态：服务中").assertExists()
                    onNodeWithText("办结说明（做了什么）").performTextInput("已当面解答，建议先找物业协调")
                    onNodeWithText("办结").performClick()
                    waitUntil(timeoutMillis = 30_000L) { offers.state.value.current?.state == OrderState.RESOLVED }
                    onNodeWithText("状态：已办结").assertExists()
                    onNodeWithText("出示评价二维码").assertExists()
                }
                shoot("offers-resolved") { OrderOffersScreen(offers.state.value) {} }
                // 出示评价二维码 leads (through the app's navigation) to the rating code.
                val shown = mutableListOf<String>()
                runComposeUiTest {
                    setContent {
                        val s by offers.state.collectAsState()
                        LawCircleTheme {
                            OrderOffersScreen(s) { e ->
                                if (e is OrderOffersEvent.ShowRatingCode) shown += e.orderId else offers.onEvent(e)
                            }
                        }
                    }
                    onNodeWithText("出示评价二维码").performClick()
                    waitUntil(timeoutMillis = 5_000L) { shown.isNotEmpty() }
                }
                assertEquals(listOf(offer.id), shown)
                RatingLinkPresenter(volunteer, offer.id, scope).use { qr ->
                    shoot("rating-code-none") { RatingLinkScreen(qr.state.value) {} }
                    runComposeUiTest {
                        setContent {
                            val s by qr.state.collectAsState()
                            LawCircleTheme { RatingLinkScreen(s, qr::onEvent) }
                        }
                        onNodeWithText("生成二维码").performClick()
                        waitUntil(timeoutMillis = 30_000L) { qr.state.value.link != null }
                        onNodeWithContentDescription("评价二维码").assertExists()
                        onNodeWithText("重新生成").assertExists()
                    }
                    assertTrue(qr.state.value.qrSize >= 21, "a QR code has at least 21 modules a side")
                    shoot("rating-code") { RatingLinkScreen(qr.state.value) {} }
                }
                // Grabbing it again: refused in words ("taken by someone else").
                runBlocking { offers.grab(offer.id).join() }
                assertEquals(offer.id, offers.state.value.takenByOther)
                assertNotNull(offers.state.value.error)
                shoot("offers-taken") { OrderOffersScreen(offers.state.value) {} }
                assertTrue(offers.state.value.offers.none { it.id == offer.id })
            }
        }
    }
}
