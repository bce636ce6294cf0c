@file:OptIn(ExperimentalTestApi::class)

package org.lawcircle.ui

import org.lawcircle.ffi.ServiceProduct
import org.lawcircle.ffi.Point
import org.lawcircle.ffi.Datum
import org.lawcircle.ffi.OrderState
import org.lawcircle.ffi.Urgency
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.onAllNodesWithText
import androidx.compose.ui.test.onFirst
import androidx.compose.ui.test.onNodeWithContentDescription
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performScrollTo
import androidx.compose.ui.test.runComposeUiTest
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import org.lawcircle.ffi.OutboxState
import org.lawcircle.phone.FindNearestPresenter
import org.lawcircle.phone.MyNeedsPresenter
import org.lawcircle.phone.NewNeedPresenter
import org.lawcircle.phone.OutboxPresenter
import org.lawcircle.phone.RatingPresenter
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/** A resident's screens, driven by the real presenters against the real server. */
class ResidentScreensTest {
    @Test
    fun `find nearest draws the places and a tapped product filter searches again`(): Unit = World().use { w ->
        val client = w.resident()
        withScope { scope ->
            FindNearestPresenter(client, scope).use { p ->
                // Before the first fix: the real initial state says it is locating.
                shoot("find-nearest-locating") { FindNearestScreen(p.state.value) {} }
                runBlocking { p.refresh().join() }
                runBlocking { p.setPosition(w.here).join() }
                val found = p.state.value
                assertNull(found.error)
                assertTrue(found.places.isNotEmpty())
                // The catalogue's opening hours come with each place, and the list says whether it is open now.
                val withHours = found.places.filter { it.openingHours.isNotBlank() }
                assertTrue(withHours.isNotEmpty(), "${found.places.map { it.openingHours }}")
                runComposeUiTest {
                    setContent { LawCircleTheme { FindNearestScreen(found) {} } }
                    val first = withHours.first()
                    onNodeWithText(
                        (if (first.openNow) "营业中" else "休息中") + " · 开放时间：" + first.openingHours,
                        useUnmergedTree = true,
                    ).assertExists()
                }
                shoot("find-nearest") { FindNearestScreen(p.state.value) {} }
                shoot("find-nearest-en", language = Language.EN) { FindNearestScreen(p.state.value) {} }
                val mediation = assertNotNull(found.coverage?.products?.firstOrNull { it.product == ServiceProduct.MEDIATION })
                runComposeUiTest {
                    setContent {
                        val s by p.state.collectAsState()
                        LawCircleTheme { FindNearestScreen(s, p::onEvent) }
                    }
                    onAllNodesWithText(found.places.first().name).onFirst().assertExists()
                    onNodeWithText(mediation.productName).performClick()
                    waitUntil(timeoutMillis = 30_000L) {
                        // The new search has finished: every place listed offers mediation.
                        val s = p.state.value
                        s.products == listOf(ServiceProduct.MEDIATION) && !s.searching && s.places.isNotEmpty() &&
                            s.places.all { ServiceProduct.MEDIATION in it.products }
                    }
                    val filtered = p.state.value.places
                    assertTrue(filtered.isNotEmpty() && filtered.all { ServiceProduct.MEDIATION in it.products })
                    onAllNodesWithText(filtered.first().name).onFirst().assertExists()
                }
                shoot("find-nearest-filtered") { FindNearestScreen(p.state.value) {} }
            }
        }
        // The server gone: the phone's copy is searched, and the screen says so.
        w.server.stop()
        withScope { scope ->
            FindNearestPresenter(client, scope).use { p ->
                runBlocking {
                    p.refresh().join()
                    p.setPosition(w.here).join()
                }
                assertTrue(p.state.value.offline)
                assertTrue(p.state.value.places.isNotEmpty())
                shoot("find-nearest-offline") { FindNearestScreen(p.state.value) {} }
                // A fix that cannot be (latitude past the pole) is refused by field.
                runBlocking { p.setPosition(Point(95.0, 120.7, Datum.WGS84)).join() }
                assertEquals("lat", p.state.value.error?.field)
                shoot("find-nearest-error") { FindNearestScreen(p.state.value) {} }
            }
        }
    }

    @Test
    fun `a need is checked, queued, sent from the outbox, followed and rated`(): Unit = World().use { w ->
        val resident = w.resident()
        val volunteer = w.volunteer()
        withScope { scope ->
            val outbox = OutboxPresenter(resident, scope)
            runBlocking { outbox.start().join() }
            shoot("outbox-empty") { OutboxScreen(outbox.state.value) {} }
            val orderId = NewNeedPresenter(resident, scope).use { need ->
                shoot("new-need-blank") { NewNeedScreen(need.state.value) {} }
                runComposeUiTest {
                    setContent {
                        val s by need.state.collectAsState()
                        LawCircleTheme { NewNeedScreen(s, need::onEvent) }
                    }
                    // A blank form: the core's problems, field by field.
                    onNodeWithText("提交").performScrollTo().performClick()
                    waitUntil(timeoutMillis = 30_000L) { need.state.value.problems.isNotEmpty() && !need.state.value.submitting }
                    onNodeWithText("还有 ${need.state.value.problems.size} 处需要修改").assertExists()
                }
                shoot("new-need-problems") { NewNeedScreen(need.state.value) {} }
                shoot("new-need-problems-en", language = Language.EN) { NewNeedScreen(need.state.value) {} }
                // Filled in (as typed into the fields), then submitted by a tap.
                val filled = w.needFields()
                need.edit { filled }
                runComposeUiTest {
                    setContent {
                        val s by need.state.collectAsState()
                        LawCircleTheme { NewNeedScreen(s, need::onEvent) }
                    }
                    // A consultation (grabbed by volunteers; mediation is dispatched by staff), marked 较急.
                    onNodeWithText("较急").performScrollTo().performClick()
                    waitUntil(timeoutMillis = 10_000L) { need.state.value.fields.urgency == Urgency.HIGH }
                    onNodeWithText("提交").performScrollTo().performClick()
                    waitUntil(timeoutMillis = 30_000L) { need.state.value.submittedKey != null }
                    onNodeWithText("已保存").assertExists()
                }
                shoot("new-need-saved") { NewNeedScreen(need.state.value) {} }
                val key = assertNotNull(need.state.value.submittedKey)
                // The outbox holds it until it is sent; a tap on 立即发送 delivers it.
                waitFor { outbox.state.value.entries.any { it.key == key } }
                shoot("outbox-pending") { OutboxScreen(outbox.state.value) {} }
                runComposeUiTest {
                    setContent {
                        val s by outbox.state.collectAsState()
                        LawCircleTheme { OutboxScreen(s, outbox::onEvent) }
                    }
                    onNodeWithText("立即发送").performClick()
                    waitUntil(timeoutMillis = 60_000L) { outbox.state.value.entries.any { it.key == key && it.state == OutboxState.SENT } }
                    onNodeWithText("本次送达", substring = true).assertExists()
                }
                shoot("outbox-sent") { OutboxScreen(outbox.state.value) {} }
                val entry = outbox.state.value.entries.first { it.key == key }
                Regex("\"order_id\"\\s*:\\s*\"([^\"]+)\"").find(assertNotNull(entry.result))!!.groupValues[1]
            }
            outbox.close()
            // My needs: the order is waiting to be taken.
            MyNeedsPresenter(resident, scope).use { mine ->
                shoot("my-needs-loading") { MyNeedsScreen(mine.state.value.copy(loading = true)) {} }
                runComposeUiTest {
                    setContent {
                        val s by mine.state.collectAsState()
                        LawCircleTheme { MyNeedsScreen(s, mine::onEvent) }
                    }
                    onNodeWithText("还没有提交过需求").assertExists()
                    onNodeWithText("刷新").performClick()
                    waitUntil(timeoutMillis = 30_000L) { mine.state.value.needs.isNotEmpty() && !mine.state.value.loading }
                    onNodeWithText("待接单").assertExists()
                    onNodeWithText("法律咨询").assertExists()
                }
                shoot("my-needs-open") { MyNeedsScreen(mine.state.value) {} }
                // A volunteer takes it and resolves it; then the resident may rate it.
                runBlocking {
                    volunteer.grabOrder(orderId, w.here)
                    volunteer.startOrder(orderId)
                    volunteer.resolveOrder(orderId, "已电话解答，建议先协商")
                    mine.refresh().join()
                }
                assertEquals(listOf(orderId), mine.state.value.rateable.map { it.orderId })
                shoot("my-needs-rate") { MyNeedsScreen(mine.state.value) {} }
                shoot("my-needs-rate-en", language = Language.EN) { MyNeedsScreen(mine.state.value) {} }
                val asked = mutableListOf<String>()
                runComposeUiTest {
                    setContent {
                        val s by mine.state.collectAsState()
                        LawCircleTheme {
                            MyNeedsScreen(s) { e -> if (e is MyNeedsEvent.Rate) asked += e.orderId else mine.onEvent(e) }
                        }
                    }
                    // The need's history is listed under it, in words.
                    onNodeWithText("办理经过").assertExists()
                    onNodeWithText("已受理").assertExists()
                    onNodeWithText("志愿者已接单").assertExists()
                    onNodeWithText("开始服务").assertExists()
                    onNodeWithText("去评价").performClick()
                    waitUntil(timeoutMillis = 5_000L) { asked.isNotEmpty() }
                }
                assertEquals(listOf(orderId), asked)
            }
            RatingPresenter(resident, orderId, scope).use { rate ->
                shoot("rating-blank") { RatingScreen(rate.state.value) {} }
                runComposeUiTest {
                    setContent {
                        val s by rate.state.collectAsState()
                        LawCircleTheme { RatingScreen(s, rate::onEvent) }
                    }
                    onNodeWithContentDescription("5 星").performClick()
                    waitUntil(timeoutMillis = 5_000L) { rate.state.value.score == 5 }
                    onNodeWithText("非常满意").assertExists()
                }
                rate.setComment("很专业，解释得很清楚")
                shoot("rating-picked") { RatingScreen(rate.state.value) {} }
                shoot("rating-picked-en", language = Language.EN) { RatingScreen(rate.state.value) {} }
                runComposeUiTest {
                    setContent {
                        val s by rate.state.collectAsState()
                        LawCircleTheme { RatingScreen(s, rate::onEvent) }
                    }
                    onNodeWithText("提交评价").performClick()
                    waitUntil(timeoutMillis = 30_000L) { rate.state.value.rated != null }
                    onNodeWithText("感谢您的评价").assertExists()
                }
                assertEquals(OrderState.EVALUATED, rate.state.value.rated?.state)
                shoot("rating-thanks") { RatingScreen(rate.state.value) {} }
            }
            // Rated once: a second rating is refused in words.
            RatingPresenter(resident, orderId, scope).use { again ->
                again.setScore(4)
                runBlocking { again.submit().join() }
                assertNotNull(again.state.value.error)
                shoot("rating-already") { RatingScreen(again.state.value) {} }
            }
        }
    }

}

/** Waits (up to a minute) for a presenter state to arrive; no timing is asserted. */
fun waitFor(condition: () -> Boolean) {
    val deadline = System.nanoTime() + 60_000_000_000L
    while (!condition()) {
        check(System.nanoTime() < deadline) { "the state did not arrive within a minute" }
        Thread.sleep(20)
    }
}
