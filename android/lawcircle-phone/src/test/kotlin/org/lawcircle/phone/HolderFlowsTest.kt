package org.lawcircle.phone

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import org.lawcircle.ffi.Channel
import org.lawcircle.ffi.ClientConfig
import org.lawcircle.ffi.Credentials
import org.lawcircle.ffi.Datum
import org.lawcircle.ffi.LawCircleClient
import org.lawcircle.ffi.LawCircleException
import org.lawcircle.ffi.NeedCategory
import org.lawcircle.ffi.OrderState
import org.lawcircle.ffi.Point
import org.lawcircle.ffi.Urgency
import java.io.File
import java.nio.file.Files
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNull
import kotlin.test.assertTrue

/**
 * The volunteer holding an order, through the Kotlin bindings against the
 * real server: the order's detail (the need, read audited on the server)
 * and their duty hours and star level. The flows of
 * bindings/tests/client_flows/holder.rs.
 */
class HolderFlowsTest {
    private fun phone(server: TestServer, dir: File, who: String, password: String): LawCircleClient =
        LawCircleClient.open(
            ClientConfig(File(dir, "$who/lawcircle.sqlite").path, server.baseUrl, Credentials(who, password)),
            OkHttpTransport(),
        )

    @Test
    fun `the holder reads the order detail and their duty hours`() = runBlocking<Unit> {
        val dir = Files.createTempDirectory("lawcircle-phone").toFile()
        TestServer.start("--demo").use { server ->
            val people = server.seedPeople()
            val here = Point(people.postLat, people.postLng, Datum.WGS84)
            val orderId = phone(server, dir, "resident", people.resident.password).use { resident ->
                val form = NeedFields(
                    requesterName = "李四",
                    requesterPhone = "13812345678",
                    category = NeedCategory.CONSULTATION,
                    description = "邻居装修噪音纠纷，希望咨询如何处理",
                    address = "永中街道示例社区",
                    areaCode = people.villageCode,
                    channel = Channel.ONLINE,
                    consentGiven = true,
                ).toNeedForm(emptyList())
                val key = resident.submitNeed(form)
                resident.sync(30_000u)
                val result = resident.outboxEntry(key).result ?: error("the need was not accepted")
                Json.parse(result).obj().str("order_id")
            }
            phone(server, dir, "volunteer", people.volunteer.password).use { volunteer ->
                // Before grabbing it, the volunteer cannot read it.
                val e = assertFailsWith<LawCircleException.Server> { volunteer.orderDetail(orderId) }
                assertEquals(404.toUShort(), e.status)
                assertEquals(OrderState.CLAIMED, volunteer.grabOrder(orderId, here).state)
                val detail = volunteer.orderDetail(orderId)
                assertEquals(orderId, detail.order.id)
                assertEquals(NeedCategory.CONSULTATION, detail.category)
                assertEquals(Urgency.NORMAL, detail.urgency)
                assertEquals("邻居装修噪音纠纷，希望咨询如何处理", detail.description)
                assertEquals("永中街道示例社区", detail.address)
                assertEquals(people.villageCode, detail.areaCode)
                assertTrue(!detail.areaName.isNullOrEmpty(), "$detail")
                assertNull(detail.place)
                assertTrue(detail.attachments.isEmpty())
                val bad = assertFailsWith<LawCircleException.InvalidInput> {
                    volunteer.downloadAttachment(orderId, "not-a-sha", File(dir, "x.pdf").path)
                }
                assertEquals("attachment_id", bad.field)
                // Clocked in by the seeding, not out yet: no hours, no star.
                val hours = volunteer.myDutyHours()
                assertEquals(0.0, hours.totalHours)
                assertEquals(0.toUByte(), hours.stars)
                assertEquals(5, hours.starThresholdsHours.size)
                assertEquals(hours.starThresholdsHours[0], hours.hoursToNextStar)
                assertTrue(hours.recent.isEmpty())
            }
        }
        dir.deleteRecursively()
    }
}
