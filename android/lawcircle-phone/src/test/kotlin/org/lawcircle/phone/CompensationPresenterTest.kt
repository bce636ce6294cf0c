package org.lawcircle.phone

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import org.lawcircle.ffi.BreakdownLineKind
import org.lawcircle.ffi.Calculator
import org.lawcircle.ffi.ClientConfig
import org.lawcircle.ffi.CompensationBreakdown
import org.lawcircle.ffi.Credentials
import org.lawcircle.ffi.Datum
import org.lawcircle.ffi.LawCircleClient
import org.lawcircle.ffi.Language
import org.lawcircle.ffi.Point
import org.lawcircle.ffi.Termination
import java.io.File
import java.nio.file.Files
import java.time.LocalDate
import java.time.ZoneId
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/** The calculators and a place's hours through the real library (both offline: no server). */
class CompensationPresenterTest {
    @Test
    fun `severance is the library's breakdown with its legal basis, and a wrong amount is a problem under its field`() = runBlocking<Unit> {
        CompensationPresenter(this).use { p ->
            p.choose(Calculator.SEVERANCE)
            assertEquals("2021", p.state.value.form[CalcFields.YEAR], "a new form starts at the latest year with figures")
            p.setField(CalcFields.MONTHLY_WAGE, "8千")
            p.setField(CalcFields.MONTHS_OF_SERVICE, "30")
            p.calculate().join()
            assertNull(p.state.value.result)
            assertNotNull(p.state.value.problem(CalcFields.MONTHLY_WAGE), "${p.state.value.problems}")
            p.setField(CalcFields.MONTHLY_WAGE, "8000")
            assertTrue(p.state.value.problems.isEmpty(), "an edit clears the old problems")
            p.calculate().join()
            val r = assertNotNull(p.state.value.result, "${p.state.value.problems} ${p.state.value.error}")
            // 30 months: N = 3 (Labour Contract Law art. 47) × 8,000.
            assertEquals(Calculator.SEVERANCE, r.calculator)
            assertEquals("24000.00", r.total)
            assertTrue(r.legalBasis.any { "劳动合同法" in it }, "${r.legalBasis}")
            assertTrue(r.lines.isNotEmpty() && r.disclaimer.isNotBlank())
            // Unlawful termination doubles it (2N); the edit cleared the old result first.
            p.setTermination(Termination.UNLAWFUL)
            assertNull(p.state.value.result)
            p.calculate().join()
            assertEquals("48000.00", p.state.value.result?.total)
        }
    }

    /** Every text of a breakdown the user reads (the shipped figures' sources are cited as published). */
    private fun CompensationBreakdown.texts(): List<String> =
        listOf(rounding, disclaimer) + legalBasis + notes + lines.flatMap { l -> listOf(l.item, l.formula) + l.parameters.flatMap { listOf(it.indicator, it.unit) } }

    @Test
    fun `the year is picked among the table's, and the breakdown is explained in the app's language`() = runBlocking<Unit> {
        CompensationPresenter(this).use { p ->
            assertEquals(listOf<UShort>(2020u, 2022u), p.state.value.yearChoices, "personal injury: the income figures' years")
            assertEquals("2022", p.state.value.form[CalcFields.YEAR])
            p.choose(Calculator.SEVERANCE)
            assertEquals(listOf<UShort>(2020u, 2021u), p.state.value.yearChoices, "severance: the average wage's years")
            p.setYear(2020u)
            assertEquals("2020", p.state.value.form[CalcFields.YEAR])
            p.setYear(1999u)
            assertEquals("2020", p.state.value.form[CalcFields.YEAR], "a year the table does not hold is not offered")
            p.setField(CalcFields.MONTHLY_WAGE, "8000")
            p.setField(CalcFields.MONTHS_OF_SERVICE, "30")
            p.setTermination(Termination.LAWFUL_IN_LIEU_OF_NOTICE)
            p.calculate().join()
            val zh = assertNotNull(p.state.value.result, "${p.state.value.problems}")
            assertEquals("经济补偿 N", zh.lines[0].item)
            for (text in zh.texts()) {
                assertTrue(text.split(Regex("[^A-Za-z]+")).none { it.length > 1 }, "an English word in the Chinese breakdown: $text")
            }
            // The toggle computes the breakdown on screen again, in English.
            assertNotNull(p.setLanguage(Language.EN)).join()
            val en = assertNotNull(p.state.value.result)
            assertEquals(zh.total, en.total)
            assertEquals("severance (N)", en.lines[0].item)
            assertTrue(en.lines[0].formula.startsWith("monthly wage 8000 × N 3 (30 months = 2 full years + 6 months"), en.lines[0].formula)
            for (text in en.texts()) {
                assertTrue(text.none { it in '\u3000'..'\u9fff' || it in '\uff00'..'\uffef' }, "Chinese in the English breakdown: $text")
            }
            assertNull(p.setLanguage(Language.EN), "the same language computes nothing again")
        }
        // A presenter made in English explains in English from the first breakdown.
        CompensationPresenter(this, language = Language.EN).use { p ->
            p.choose(Calculator.WORK_INJURY)
            p.setField(CalcFields.MONTHLY_WAGE, "6000")
            p.setField(CalcFields.GRADE, "9")
            p.calculate().join()
            assertEquals("one-off disability grant", p.state.value.result?.lines?.first()?.item)
        }
    }

    @Test
    fun `a year without figures, a text where a whole number goes and a missing wage are named by field`() = runBlocking<Unit> {
        CompensationPresenter(this).use { p ->
            p.choose(Calculator.SEVERANCE)
            p.setField(CalcFields.MONTHLY_WAGE, "8000")
            p.setField(CalcFields.MONTHS_OF_SERVICE, "两年")
            p.calculate().join()
            assertEquals(setOf(CalcFields.MONTHS_OF_SERVICE), p.state.value.problems.keys)
            p.setField(CalcFields.MONTHS_OF_SERVICE, "24")
            p.setField(CalcFields.YEAR, "1999")
            p.calculate().join()
            assertEquals(setOf(CalcFields.YEAR), p.state.value.problems.keys, "the library has no 1999 figures")
            p.choose(Calculator.WORK_INJURY)
            p.setField(CalcFields.GRADE, "9")
            p.calculate().join()
            assertEquals(setOf(CalcFields.MONTHLY_WAGE), p.state.value.problems.keys, "the disability grant needs the wage")
            p.setField(CalcFields.MONTHLY_WAGE, "6000")
            p.setField(CalcFields.GRADE, "11")
            p.calculate().join()
            assertEquals(setOf(CalcFields.GRADE), p.state.value.problems.keys)
            p.setField(CalcFields.GRADE, "9")
            p.calculate().join()
            val work = assertNotNull(p.state.value.result, "${p.state.value.problems}")
            assertEquals(Calculator.WORK_INJURY, work.calculator)
            assertTrue(work.total != "0.00")
        }
    }

    @Test
    fun `a traffic accident splits the loss into payments, its problems named as the form names them`() = runBlocking<Unit> {
        CompensationPresenter(this).use { p ->
            p.choose(Calculator.TRAFFIC_ACCIDENT)
            p.setField(CalcFields.AGE, "45")
            p.setField(CalcFields.GRADE, "9")
            p.setField(CalcFields.FAULT_SHARE, "70")
            p.setField("items.medical", "一万")
            p.calculate().join()
            // The library names it injury.items.medical; the form's field is items.medical.
            assertEquals(setOf("items.medical"), p.state.value.problems.keys)
            p.setField("items.medical", "12000.50")
            p.setField(CalcFields.DEPENDANT_AGE, "10")
            p.setField(CalcFields.DEPENDANT_OBLIGED, "2")
            p.setField(CalcFields.PROPERTY_LOSS, "3000")
            p.calculate().join()
            val r = assertNotNull(p.state.value.result, "${p.state.value.problems}")
            assertEquals(Calculator.TRAFFIC_ACCIDENT, r.calculator)
            assertTrue(r.lines.any { it.kind == BreakdownLineKind.PAYMENT })
            assertTrue(r.lines.any { it.kind == BreakdownLineKind.ITEM && it.parameters.isNotEmpty() })
            assertTrue(r.legalBasis.isNotEmpty())
            // Injured without a grade: dependants are refused by the core, named by field.
            p.setOutcome(CalcOutcome.INJURY)
            p.calculate().join()
            assertEquals(setOf("dependants"), p.state.value.problems.keys)
        }
    }

    @Test
    fun `the forms survive a rotation and give the same breakdown`() = runBlocking<Unit> {
        val store = MapSavedState()
        val before = CompensationPresenter(this, saved = store).use { p ->
            p.choose(Calculator.PERSONAL_INJURY)
            p.setField(CalcFields.AGE, "45")
            p.setOutcome(CalcOutcome.DISABILITY)
            p.setField(CalcFields.GRADE, "10")
            p.setField("items.nutrition", "1800")
            p.choose(Calculator.SEVERANCE)
            p.setField(CalcFields.MONTHLY_WAGE, "9000")
            p.choose(Calculator.PERSONAL_INJURY)
            p.calculate().join()
            assertNotNull(p.state.value.result, "${p.state.value.problems}").total
        }
        CompensationPresenter(this, saved = store).use { p ->
            val s = p.state.value
            assertEquals(Calculator.PERSONAL_INJURY, s.calculator)
            assertEquals("45", s.form[CalcFields.AGE])
            assertEquals("9000", s.forms.getValue(Calculator.SEVERANCE)[CalcFields.MONTHLY_WAGE])
            assertNull(s.result, "the result is computed again, never saved")
            p.calculate().join()
            assertEquals(before, p.state.value.result?.total)
        }
    }

    @Test
    fun `a place's week is laid out from today with its exceptions, from the shipped catalogue`() = runBlocking<Unit> {
        val repo = System.getProperty("lawcircle.repo") ?: error("set -Dlawcircle.repo to the repository root")
        val dir = Files.createTempDirectory("lawcircle-place").toFile()
        try {
            LawCircleClient.open(
                ClientConfig(File(dir, "phone.sqlite").path, "http://127.0.0.1:9", Credentials("resident", "x")),
                OkHttpTransport(),
            ).use { client ->
                client.installCatalogueFile("$repo/data/longwan/facilities.csv")
                val place = FindNearestPresenter(client, this).use { n ->
                    n.setPosition(Point(27.93, 120.815, Datum.WGS84)).join()
                    n.state.value.places.first { it.openingExceptions.contains("2025-10-01") }
                }
                // Monday 29 September 2025, 10:00 in Wenzhou: National Day (1 October) is in the week.
                val monday = LocalDate.of(2025, 9, 29).atTime(10, 0).atZone(ZoneId.of("Asia/Shanghai")).toInstant().toEpochMilli()
                PlaceDetailPresenter(place, this, now = { monday }).use { d ->
                    d.load().join()
                    val week = assertNotNull(d.state.value.schedule, "${d.state.value.error}").days
                    assertEquals(7, week.size)
                    assertEquals("2025-09-29", week[0].date)
                    assertEquals(1.toUByte(), week[0].weekday)
                    assertTrue(week[0].spans.isNotEmpty(), "open on a Monday")
                    val holiday = week.first { it.date == "2025-10-01" }
                    assertTrue(holiday.exception && holiday.spans.isEmpty(), "$holiday")
                    val ahead = d.state.value.schedule!!.upcomingExceptions.map { it.date }
                    assertTrue("2025-10-01" in ahead && "2025-01-28" !in ahead, "$ahead")
                }
                // A rotation with the detail open: the saved state brings back the same place and its week.
                val store = MapSavedState()
                PlaceDetailPresenter(place, this, now = { monday }, saved = store).close()
                PlaceDetailPresenter.restore(store, this, now = { monday }).let { assertNotNull(it, "${store.snapshot()}") }.use { d ->
                    assertEquals(place, d.state.value.place)
                    d.load().join()
                    assertEquals("2025-09-29", d.state.value.schedule?.days?.first()?.date)
                    // Back to the list: nothing is restored after that.
                    d.dismiss()
                }
                assertNull(PlaceDetailPresenter.restore(store, this))
                assertNull(PlaceDetailPresenter.restore(MapSavedState(), this), "nothing open, nothing restored")
                val broken = place.copy(openingHours = "Mo-Fr 8")
                PlaceDetailPresenter(broken, this).use { d ->
                    d.load().join()
                    assertEquals("opening_hours", d.state.value.error?.field)
                }
            }
        } finally {
            dir.deleteRecursively()
        }
    }
}
