package org.lawcircle.phone

import org.lawcircle.ffi.FacilityKind
import org.lawcircle.ffi.AnswerInput
import org.lawcircle.ffi.NeedCategory
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import org.lawcircle.ffi.ClientConfig
import org.lawcircle.ffi.Credentials
import org.lawcircle.ffi.Datum
import org.lawcircle.ffi.DeviceTime
import org.lawcircle.ffi.FixSource
import org.lawcircle.ffi.FormFieldSpec
import org.lawcircle.ffi.FormWidget
import org.lawcircle.ffi.LawCircleClient
import org.lawcircle.ffi.Point
import org.lawcircle.ffi.PunchKind
import java.io.File
import java.nio.file.Files
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/** The presenters on their own: no server (the client points at a closed port). */
class PresenterUnitTest {
    private suspend fun <T> offlinePhone(block: suspend (LawCircleClient) -> T): T {
        val dir = Files.createTempDirectory("lawcircle-unit").toFile()
        try {
            return LawCircleClient.open(
                ClientConfig(File(dir, "phone.sqlite").path, "http://127.0.0.1:9", Credentials("resident", "x")),
                OkHttpTransport(),
            ).use { block(it) }
        } finally {
            dir.deleteRecursively()
        }
    }

    private val location = LocationFix(
        latitude = 27.93,
        longitude = 120.815,
        accuracyM = 12.5f,
        provider = "fused",
        isMock = true,
        timeMillis = 1_700_000_000_123,
        elapsedRealtimeNanos = 86_400_123_456_789,
        speedMps = 1.5f,
    )

    @Test
    fun `an Android fix maps to the core's fix field by field`() {
        val fix = assertNotNull(location.toGpsFix())
        assertEquals(27.93, fix.lat)
        assertEquals(120.815, fix.lng)
        assertEquals(Datum.WGS84, fix.datum)
        assertEquals(12.5, fix.accuracyM)
        assertEquals(FixSource.FUSED, fix.source)
        assertTrue(fix.isMock, "Location.isMock() is passed on for the core to flag")
        assertEquals(1_700_000_000_123, fix.wallTimeMs)
        assertEquals(86_400_123uL, fix.elapsedMs)
        assertEquals(1.5, fix.speedMps)
        assertEquals(FixSource.GPS, location.copy(provider = "GPS").toGpsFix()?.source)
        assertEquals(FixSource.UNKNOWN, location.copy(provider = null).toGpsFix()?.source)
        assertNull(location.copy(speedMps = null).toGpsFix()?.speedMps)
        assertEquals(DeviceTime(5, 2uL), deviceTime(5, 2_999_999))
    }

    @Test
    fun `a fix without accuracy is no fix, never a perfect one`() {
        assertNull(location.copy(accuracyM = null).toGpsFix())
        assertNull(location.copy(accuracyM = Float.NaN).toGpsFix())
    }

    @Test
    fun `the clock-in screen refuses to punch without a post and names an unknown one`() = runBlocking<Unit> {
        offlinePhone { client ->
            ClockInPresenter(client, this, { DeviceTime(System.currentTimeMillis(), 10_000uL) }).use { p ->
                p.onLocation(location.copy(isMock = false)).join()
                assertTrue(p.state.value.hasFix)
                assertTrue(p.state.value.posts.isEmpty(), "no duty posts on a fresh phone")
                p.punch(PunchKind.IN).join()
                assertEquals("post_id", p.state.value.error?.field)
                p.selectPost("LW-NOPE").join()
                assertEquals("post_id", p.state.value.error?.field)
                assertNull(p.state.value.outcome)
            }
            assertEquals(0uL, client.outboxCounts().pending)
        }
    }

    @Test
    fun `the need form shows the core's problems field by field and queues only a valid form`() = runBlocking<Unit> {
        offlinePhone { client ->
            NewNeedPresenter(client, this).use { p ->
                assertTrue(p.state.value.categories.any { it.category == NeedCategory.LEGAL_AID })
                p.edit { it.copy(requesterName = "张三", requesterPhone = "12345", description = "  ") }
                p.validate().join()
                val problems = p.state.value.problems
                for (field in listOf("requester.phone", "description", "location.address", "location.area_code", "consent.given")) {
                    assertNotNull(problems[field], "$field in $problems")
                }
                assertNull(problems["requester.name"])
                val files = Files.createTempDirectory("lawcircle-files").toFile()
                val fake = File(files, "photo.png").apply { writeText("not a photo") }
                p.addAttachment(fake.path).join()
                assertNotNull(p.state.value.problem("attachments[0]"), "${p.state.value.problems}")
                assertEquals(listOf(AttachmentSummary("photo.png", 11)), p.state.value.attachments)
                // A file that is not there is refused with its reason too.
                p.addAttachment(File(files, "gone.jpg").path).join()
                assertTrue(p.state.value.problem("attachments[1]")!!.contains("does not exist"), "${p.state.value.problems}")
                p.removeAttachment(1).join()
                p.submit().join()
                assertNull(p.state.value.submittedKey)
                assertEquals(0uL, client.outboxCounts().pending)
                p.removeAttachment(0).join()
                p.edit {
                    it.copy(
                        requesterPhone = "13812345678", description = "劳动合同纠纷咨询", address = "永中街道",
                        areaCode = "330303001", consentGiven = true,
                    )
                }.join()
                assertEquals(emptyMap(), p.state.value.problems)
                p.submit().join()
                assertNotNull(p.state.value.submittedKey, "${p.state.value.error}")
                assertEquals(1uL, client.outboxCounts().pending)
                p.reset()
                assertEquals("", p.state.value.fields.requesterPhone)
            }
        }
    }

    @Test
    fun `personal data never reaches a log line`() {
        val fields = NeedFields(requesterName = "李四", requesterPhone = "13812345678", requesterIdNumber = "11010519491231002X", description = "家暴")
        val printed = NewNeedState(fields = fields).toString()
        for (secret in listOf("李四", "13812345678", "11010519491231002X", "家暴")) {
            assertFalse(secret in printed, printed)
        }
        val spec = FormFieldSpec(
            "id_number", FormWidget.TEXT_INPUT, "身份证号", "ID number", "", "", true, emptyList(), null, null, null, false, false,
        )
        assertFalse("11010519491231002X" in FormFieldState(spec, "11010519491231002X").toString())
    }

    @Test
    fun `a multi-select's answer is the list of its keys`() {
        val spec = FormFieldSpec("g", FormWidget.MULTI_SELECT, "", "", "", "", false, emptyList(), null, null, null, false, false)
        val both = FormFieldState(spec, choices = listOf("a", "b"))
        assertEquals(setOf("a", "b"), both.selected)
        assertEquals(AnswerInput.Choices(listOf("a", "b")), both.input)
        assertTrue(FormFieldState(spec).isBlank)
        val single = spec.copy(widget = FormWidget.SINGLE_SELECT)
        assertEquals(AnswerInput.Text("a"), FormFieldState(single, "a").input)
        assertEquals(setOf("a"), FormFieldState(single, "a").selected)
    }

    @Test
    fun `a bad score is refused by the core before any network`() = runBlocking<Unit> {
        offlinePhone { client ->
            RatingPresenter(client, "ORD-1", this).use { p ->
                p.setScore(0)
                p.submit().join()
                assertEquals("score", p.state.value.error?.field)
                p.setScore(300)
                p.submit().join()
                assertEquals("score", p.state.value.error?.field)
                p.setScore(5)
                p.submit().join()
                assertTrue(p.state.value.error!!.message.startsWith("No connection"), "${p.state.value.error}")
                assertNull(p.state.value.rated)
            }
        }
    }

    @Test
    fun `a form not on the phone is an error naming the service`() = runBlocking<Unit> {
        offlinePhone { client ->
            ApplicationFormPresenter(client, this).use { p ->
                p.load().join()
                assertTrue(p.state.value.offline)
                assertTrue(p.state.value.forms.isEmpty())
                p.open(LEGAL_AID).join()
                assertNull(p.state.value.open)
                assertEquals("service_code", p.state.value.error?.field)
            }
        }
    }

    @Test
    fun `a catalogue shipped with the app is searched offline, estimated without a walking network`() = runBlocking<Unit> {
        val repo = System.getProperty("lawcircle.repo") ?: error("set -Dlawcircle.repo to the repository root")
        offlinePhone { client ->
            assertTrue(client.installCatalogueFile("$repo/data/longwan/facilities.csv") > 100u)
            FindNearestPresenter(client, this).use { p ->
                p.refresh().join()
                assertTrue(p.state.value.offline)
                assertEquals(0uL, p.state.value.catalogue?.catalogueVersion)
                p.setFilters(kinds = listOf(FacilityKind.LAW_FIRM))
                p.setPosition(Point(27.93, 120.815, Datum.GCJ02)).join()
                val s = p.state.value
                assertEquals(5, s.places.size, "${s.error}")
                assertTrue(s.places.all { it.kind == FacilityKind.LAW_FIRM && it.point.datum == Datum.GCJ02 })
                assertTrue(s.estimated)
                p.useWalkingNetwork("$repo/none.lcwn").join()
                assertEquals("network", p.state.value.error?.field)
            }
        }
    }
}
