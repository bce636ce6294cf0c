@file:OptIn(ExperimentalTestApi::class)

package org.lawcircle.ui

import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performScrollTo
import androidx.compose.ui.test.performTextInput
import androidx.compose.ui.test.runComposeUiTest
import kotlinx.coroutines.delay
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.Test
import org.lawcircle.phone.NewNeedPresenter
import org.lawcircle.phone.OrderDetailPresenter
import java.io.File
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertTrue

/** The holder's order detail, clicked through against the real server: loading, refused, the need, a download, the contact with a reason, offline. */
class OrderDetailScreenTest {
    @Test
    fun `a volunteer opens the order, downloads the photo and reads the contact with a reason`(): Unit = World().use { w ->
        val resident = w.resident()
        val volunteer = w.volunteer()
        withScope { scope ->
            NewNeedPresenter(resident, scope, initial = w.needFields()).use { need ->
                runBlocking {
                    need.addAttachment(File(w.dir, "photo.png").apply { writeBytes(PNG) }.path).join()
                    need.submit().join()
                    assertNotNull(need.state.value.submittedKey, "${need.state.value.problems}")
                    resident.sync(30_000u)
                }
            }
            val offer = runBlocking {
                volunteer.signIn()
                // The server routes the new order to the volunteers nearby; wait until it is offered.
                withTimeout(60_000) {
                    var offers = volunteer.orderOffers(w.here)
                    while (offers.isEmpty()) {
                        delay(200)
                        offers = volunteer.orderOffers(w.here)
                    }
                    offers.single()
                }
            }
            val downloads = File(w.dir, "downloads")
            OrderDetailPresenter(volunteer, offer.id, downloads, scope).use { p ->
                shoot("order-detail-loading") { OrderDetailScreen(p.state.value.copy(loading = true)) {} }
                runBlocking { p.load().join() }
                assertNotNull(p.state.value.error, "not the volunteer's order yet")
                shoot("order-detail-refused") { OrderDetailScreen(p.state.value) {} }
            }
            runBlocking {
                volunteer.grabOrder(offer.id, w.here)
                volunteer.startOrder(offer.id)
            }
            OrderDetailPresenter(volunteer, offer.id, downloads, scope).use { p ->
                runBlocking { p.load().join() }
                val d = assertNotNull(p.state.value.detail, "${p.state.value.error}")
                val photo = d.attachments.single()
                runComposeUiTest {
                    setContent {
                        val s by p.state.collectAsState()
                        LawCircleTheme { OrderDetailScreen(s, p::onEvent) }
                    }
                    onNodeWithText("邻居装修噪音纠纷，希望咨询如何处理").assertExists()
                    onNodeWithText("下载").performScrollTo().performClick()
                    waitUntil(timeoutMillis = 30_000L) { p.state.value.downloaded.containsKey(photo.id) }
                    onNodeWithText("打开").performScrollTo().assertExists()
                    onNodeWithText("查看原因（如：电话联系当事人）").performScrollTo().performTextInput("电话联系当事人约定时间")
                    waitUntil(timeoutMillis = 5_000L) { p.state.value.contactReason.isNotEmpty() }
                    onNodeWithText("查看联系方式").performScrollTo().performClick()
                    waitUntil(timeoutMillis = 30_000L) { p.state.value.contact != null }
                    onNodeWithText("13812345678").performScrollTo().assertExists()
                }
                assertTrue(File(p.state.value.downloaded.getValue(photo.id)).readBytes().contentEquals(PNG))
                shoot("order-detail") { OrderDetailScreen(p.state.value) {} }
                shoot("order-detail-en", language = Language.EN) { OrderDetailScreen(p.state.value) {} }
            }
            w.server.stop()
            OrderDetailPresenter(volunteer, offer.id, downloads, scope).use { p ->
                runBlocking { p.load().join() }
                assertEquals(true, p.state.value.offline, "${p.state.value.error}")
                shoot("order-detail-offline") { OrderDetailScreen(p.state.value) {} }
            }
        }
    }

    private companion object {
        /** A 1×1 PNG's signature and header: enough for the core to tell its type. */
        val PNG = byteArrayOf(
            0x89.toByte(), 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52,
            0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1F, 0x15, 0xC4.toByte(), 0x89.toByte(),
        )
    }
}
