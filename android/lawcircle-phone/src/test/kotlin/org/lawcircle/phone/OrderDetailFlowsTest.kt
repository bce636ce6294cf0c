package org.lawcircle.phone

import kotlinx.coroutines.delay
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.Test
import org.lawcircle.ffi.Channel
import org.lawcircle.ffi.ClientConfig
import org.lawcircle.ffi.Credentials
import org.lawcircle.ffi.Datum
import org.lawcircle.ffi.LawCircleClient
import org.lawcircle.ffi.NeedCategory
import org.lawcircle.ffi.OrderState
import org.lawcircle.ffi.Point
import org.lawcircle.ffi.Urgency
import java.io.File
import java.nio.file.Files
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/** The holder's order detail against the real server: refused before holding it, the need, a downloaded photo, the contact read with a reason, offline. */
class OrderDetailFlowsTest {
    private val dir: File = Files.createTempDirectory("lawcircle-detail").toFile()

    private fun phone(url: String, who: String, password: String): LawCircleClient = LawCircleClient.open(
        ClientConfig(File(dir, "$who/lawcircle.sqlite").path, url, Credentials(who, password)),
        OkHttpTransport(),
    )

    @Test
    fun `the holder reads the need, downloads its photo and the contact with a reason`() {
        val server = TestServer.start("--demo")
        try {
            val people = server.seedPeople()
            val photoBytes = PNG
            val orderId = phone(server.baseUrl, "resident", people.resident.password).use { resident ->
                runBlocking {
                    NewNeedPresenter(resident, this).use { need ->
                        need.edit {
                            it.copy(
                                requesterName = "李四", requesterPhone = "13812345678", category = NeedCategory.CONSULTATION,
                                description = "邻居装修噪音纠纷，希望调解", address = "永中街道示例社区3幢",
                                areaCode = people.villageCode, channel = Channel.ONLINE, consentGiven = true,
                            )
                        }
                        need.addAttachment(File(dir, "photo.png").apply { writeBytes(photoBytes) }.path)
                        need.submit().join()
                        assertNotNull(need.state.value.submittedKey, "${need.state.value.problems} ${need.state.value.error}")
                    }
                    resident.sync(30_000u)
                    assertNotNull(resident.myNeeds().single().orderId)
                }
            }
            phone(server.baseUrl, "volunteer", people.volunteer.password).use { volunteer ->
                runBlocking {
                    val here = Point(people.postLat, people.postLng, Datum.WGS84)
                    volunteer.signIn()
                    // The server routes the new order to the volunteers nearby; wait until it is offered.
                    val offer = withTimeout(60_000) {
                        var offers = volunteer.orderOffers(here)
                        while (offers.isEmpty()) {
                            delay(200)
                            offers = volunteer.orderOffers(here)
                        }
                        offers.single()
                    }
                    // Not the volunteer's order yet: the server does not show it.
                    OrderDetailPresenter(volunteer, offer.id, File(dir, "downloads"), this).use { p ->
                        p.load().join()
                        assertNull(p.state.value.detail)
                        assertNotNull(p.state.value.error)
                        assertTrue(!p.state.value.offline)
                    }
                    volunteer.grabOrder(offer.id, here)
                    volunteer.startOrder(offer.id)
                    OrderDetailPresenter(volunteer, offer.id, File(dir, "downloads"), this).use { p ->
                        p.load().join()
                        val d = assertNotNull(p.state.value.detail, "${p.state.value.error}")
                        assertEquals(OrderState.IN_PROGRESS, d.order.state)
                        assertEquals("邻居装修噪音纠纷，希望调解", d.description)
                        assertEquals(Urgency.NORMAL, d.urgency)
                        assertEquals(people.villageCode, d.areaCode)
                        assertTrue(!d.areaName.isNullOrBlank())
                        assertTrue("邻居" !in p.state.value.toString(), "the description stays out of logs")
                        val a = d.attachments.single()
                        assertEquals("image/png", a.contentType)
                        p.download(a.id).join()
                        val path = assertNotNull(p.state.value.downloaded[a.id], "${p.state.value.error}")
                        assertContentEquals(photoBytes, File(path).readBytes())
                        // A contact read without a reason is refused, naming the field.
                        p.setContactReason(" ")
                        p.readContact().join()
                        assertEquals("reason", p.state.value.error?.field)
                        assertNull(p.state.value.contact)
                        p.setContactReason("电话联系当事人约定调解时间")
                        p.readContact().join()
                        assertEquals("13812345678", p.state.value.contact?.phone, "${p.state.value.error}")
                        assertTrue("13812345678" !in p.state.value.toString())
                    }
                    // Offline: said so, nothing half-shown.
                    server.stop()
                    OrderDetailPresenter(volunteer, offer.id, File(dir, "downloads"), this).use { p ->
                        p.load().join()
                        assertTrue(p.state.value.offline, "${p.state.value.error}")
                        assertNull(p.state.value.detail)
                    }
                }
            }
        } finally {
            server.close()
            dir.deleteRecursively()
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
