@file:OptIn(ExperimentalTestApi::class)

package org.lawcircle.ui

import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.onAllNodesWithText
import androidx.compose.ui.test.onFirst
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performScrollTo
import androidx.compose.ui.test.runComposeUiTest
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import org.lawcircle.ffi.NearbyPlace
import org.lawcircle.phone.FindNearestPresenter
import org.lawcircle.phone.PlaceDetailPresenter
import java.time.LocalDate
import java.time.ZoneId
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertTrue

/** A place's detail, opened from the nearest list of the real server's catalogue: the week's hours, call and navigate. */
class PlaceDetailScreenTest {
    @Test
    fun `a tapped place shows its week with the holiday, and call and navigate reach the app`(): Unit = World().use { w ->
        val client = w.resident()
        withScope { scope ->
            val place = FindNearestPresenter(client, scope).use { p ->
                runBlocking { p.refresh().join() }
                runBlocking { p.setPosition(w.here).join() }
                val found = p.state.value
                val first = found.places.first()
                // From the list: 详情 on the first card asks the app to open it.
                val opened = mutableListOf<FindNearestEvent>()
                runComposeUiTest {
                    setContent { LawCircleTheme { FindNearestScreen(found) { opened += it } } }
                    onAllNodesWithText("详情").onFirst().performClick()
                }
                assertEquals(listOf<FindNearestEvent>(FindNearestEvent.Open(first)), opened)
                first
            }
            // A Monday in the week of National Day, 10:00 in Wenzhou (the demo catalogue closes 1–3 October).
            val monday = LocalDate.of(2025, 9, 29).atTime(10, 0).atZone(ZoneId.of("Asia/Shanghai")).toInstant().toEpochMilli()
            PlaceDetailPresenter(place, scope, now = { monday }).use { d ->
                shoot("place-detail-loading") { PlaceDetailScreen(d.state.value) {} }
                runBlocking { d.load().join() }
                val schedule = assertNotNull(d.state.value.schedule, "${d.state.value.error}")
                val events = mutableListOf<PlaceDetailEvent>()
                runComposeUiTest {
                    setContent {
                        val s by d.state.collectAsState()
                        LawCircleTheme { PlaceDetailScreen(s) { events += it } }
                    }
                    onNodeWithText(place.name).assertExists()
                    onNodeWithText("今天：" + schedule.days[0].spans.joinToString("、").ifEmpty { "休息" }).assertExists()
                    if (schedule.days.any { it.date == "2025-10-01" && it.exception }) {
                        // 1–3 October: each closed for the holiday.
                        assertEquals(3, onAllNodesWithText("休息（调整）").fetchSemanticsNodes().size)
                    }
                    onNodeWithText("导航").performClick()
                    place.phone?.let { onNodeWithText("打电话").performClick() }
                }
                assertEquals(PlaceDetailEvent.Navigate(place), events.first())
                place.phone?.let { assertEquals(PlaceDetailEvent.Call(it), events[1]) }
                shoot("place-detail") { PlaceDetailScreen(d.state.value) {} }
                shoot("place-detail-en", language = Language.EN) { PlaceDetailScreen(d.state.value) {} }
            }
            // Hours the core cannot read: the screen says so and shows the text as it came.
            PlaceDetailPresenter(place.copy(openingHours = "Mo-Fr 8"), scope).use { d ->
                runBlocking { d.load().join() }
                assertEquals("opening_hours", d.state.value.error?.field)
                shoot("place-detail-unreadable") { PlaceDetailScreen(d.state.value) {} }
            }
        }
    }

    @Test
    fun `a place without phone or exceptions offers navigate only`(): Unit = withScope { scope ->
        val bare = NearbyPlace(
            facilityId = "x", name = "示例调解组织", kind = org.lawcircle.ffi.FacilityKind.MEDIATION_ORGANIZATION, kindName = "调解组织",
            address = "示例地址", phone = null, point = org.lawcircle.ffi.Point(27.93, 120.815, org.lawcircle.ffi.Datum.WGS84),
            products = emptyList(), straightM = 300.0, walkingM = null, walkingMinutes = null, walkingEstimated = true,
            withinCircle = false, openingHours = "24/7", openingExceptions = "", openNow = true,
        )
        PlaceDetailPresenter(bare, scope).use { d ->
            runBlocking { d.load().join() }
            runComposeUiTest {
                setContent { LawCircleTheme { PlaceDetailScreen(d.state.value) {} } }
                onNodeWithText("今天：00:00-24:00").assertExists()
                onNodeWithText("近期没有调整").performScrollTo().assertExists()
                assertTrue(onAllNodesWithText("打电话").fetchSemanticsNodes().isEmpty())
            }
        }
    }
}
