@file:OptIn(ExperimentalTestApi::class)

package org.lawcircle.ui

import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performScrollTo
import androidx.compose.ui.test.runComposeUiTest
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import org.lawcircle.phone.NewNeedPresenter
import kotlin.test.assertEquals
import kotlin.test.assertNotNull

/** The new-need form's village picker with taps: the village at the fix, then another one picked from a search. */
class VillagePickerScreenTest {
    @Test
    fun `the village is found from the fix and changed by searching the list`(): Unit = World().use { w ->
        val resident = w.resident()
        runBlocking { resident.refreshCatalogue() }
        withScope { scope ->
            NewNeedPresenter(resident, scope).use { p ->
                runComposeUiTest {
                    setContent {
                        val s by p.state.collectAsState()
                        LawCircleTheme { NewNeedScreen(s) { e -> if (e == NewNeedEvent.VillageFromGps) p.villageFromFix(w.here) else p.onEvent(e) } }
                    }
                    onNodeWithText("用当前位置确定村（社区）").performScrollTo().performClick()
                    waitUntil(timeoutMillis = 10_000L) { p.state.value.village != null }
                }
                val found = assertNotNull(p.state.value.village)
                assertEquals(found.code, p.state.value.fields.areaCode)
                shoot("new-need-village-from-gps") { NewNeedScreen(p.state.value) {} }
                runBlocking { p.searchVillages(found.name.take(2)).join() }
                shoot("new-need-village-search") { NewNeedScreen(p.state.value) {} }
                shoot("new-need-village-search-en", language = Language.EN) { NewNeedScreen(p.state.value) {} }
                val other = p.state.value.villageChoices.last()
                runComposeUiTest {
                    setContent {
                        val s by p.state.collectAsState()
                        LawCircleTheme { NewNeedScreen(s, p::onEvent) }
                    }
                    onNodeWithText("${other.name}（${other.streetName}）").performScrollTo().performClick()
                    waitUntil(timeoutMillis = 10_000L) { p.state.value.village == other }
                }
                assertEquals(other.code, p.state.value.fields.areaCode)
            }
        }
    }
}
