package org.lawcircle.phone

import org.junit.jupiter.api.Test
import org.lawcircle.ffi.Datum
import org.lawcircle.ffi.LawCircleException
import org.lawcircle.ffi.Point
import org.lawcircle.ffi.BreakdownLineKind
import org.lawcircle.ffi.Calculator
import org.lawcircle.ffi.SeveranceRequest
import org.lawcircle.ffi.Language
import org.lawcircle.ffi.Termination
import org.lawcircle.ffi.WorkInjuryOutcome
import org.lawcircle.ffi.WorkInjuryRequest
import org.lawcircle.ffi.calculateSeverance
import org.lawcircle.ffi.calculateWorkInjury
import org.lawcircle.ffi.convertPoint
import org.lawcircle.ffi.coreVersion
import org.lawcircle.ffi.distanceM
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertIs
import kotlin.test.assertTrue

class DistancePresenterTest {
    @Test
    fun `the core answers through JNA`() {
        assertTrue(coreVersion().matches(Regex("""\d+\.\d+\.\d+.*""")))
    }

    @Test
    fun `the compensation calculator answers offline through JNA`() {
        // 30 months of service: N = 3 months (Labour Contract Law art. 47) x 8,000.
        val request = SeveranceRequest(
            region = "330000",
            year = 2021.toUShort(),
            monthlyWage = "8000",
            monthsOfService = 30u,
            termination = Termination.LAWFUL,
        )
        val out = calculateSeverance(request, Language.ZH)
        assertEquals(Calculator.SEVERANCE, out.calculator)
        assertEquals("24000.00", out.total)
        assertTrue(out.lines.all { it.kind == BreakdownLineKind.ITEM && it.formula.isNotEmpty() }, "${out.lines}")
        val e = assertFailsWith<LawCircleException.InvalidInput> { calculateSeverance(request.copy(year = 1999.toUShort()), Language.ZH) }
        assertEquals("year", e.field)
        val wage = assertFailsWith<LawCircleException.InvalidInput> { calculateSeverance(request.copy(monthlyWage = "8千"), Language.ZH) }
        assertEquals("monthly_wage", wage.field)
        // A work injury's grant, typed the same way.
        val work = calculateWorkInjury(WorkInjuryRequest("330000", 2021.toUShort(), "6000", WorkInjuryOutcome.Disability(9u.toUByte())), Language.ZH)
        assertEquals(Calculator.WORK_INJURY, work.calculator)
        assertTrue(work.total != "0.00", work.total)
    }

    @Test
    fun `a GPS fix and its Amap pin are the same place`() {
        val gps = Point(27.93, 120.82, Datum.WGS84)
        val amap = convertPoint(gps, Datum.GCJ02)
        assertEquals(Datum.GCJ02, amap.datum)
        assertTrue(distanceM(gps, amap) < 0.01)
    }

    @Test
    fun `the presenter measures across datums against the 15-minute circle`() {
        val p = DistancePresenter()
        assertIs<DistanceState.Incomplete>(p.state.value)
        p.setFrom(27.93, 120.82)
        assertIs<DistanceState.Incomplete>(p.state.value)
        // The same numbers read as an Amap pin: the datum offset, not zero.
        p.setTo(27.93, 120.82, Datum.GCJ02)
        val offset = assertIs<DistanceState.Measured>(p.state.value)
        assertTrue(offset.meters in 200.0..700.0, "offset ${offset.meters}")
        assertTrue(offset.withinCircle)
        // 1.3 km north: outside the 15-minute walk.
        p.setTo(27.93 + 1300.0 / 111_195.0, 120.82, Datum.WGS84)
        val far = assertIs<DistanceState.Measured>(p.state.value)
        assertEquals(17, far.minutes)
        assertTrue(!far.withinCircle)
    }

    @Test
    fun `swapped coordinates are an invalid input naming the field`() {
        val p = DistancePresenter()
        p.setFrom(120.8, 27.9)
        p.setTo(27.9, 120.8, Datum.WGS84)
        val invalid = assertIs<DistanceState.Invalid>(p.state.value)
        assertEquals("lat", invalid.error.field)
        val e = assertFailsWith<LawCircleException.InvalidInput> {
            distanceM(Point(120.8, 27.9, Datum.WGS84), Point(27.9, 120.8, Datum.WGS84))
        }
        assertEquals("lat", e.field)
    }
}
