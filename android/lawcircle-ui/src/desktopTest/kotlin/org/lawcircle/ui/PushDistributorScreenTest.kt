@file:OptIn(ExperimentalTestApi::class)

package org.lawcircle.ui

import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.runComposeUiTest
import org.junit.jupiter.api.Test
import org.lawcircle.phone.DistributorChoiceStore
import org.lawcircle.phone.PushDistributor
import org.lawcircle.phone.PushDistributorPresenter
import org.lawcircle.phone.PushRoute
import kotlin.test.assertEquals

/**
 * 通知推送 with taps: two distributors installed, the user picks one (kept);
 * then none installed, said so. The installed list is what the app's
 * `UnifiedPushConnector.distributors()` reads from the package manager
 * (tested under Robolectric in the android-glue suite).
 */
class PushDistributorScreenTest {
    private class MemoryChoice(var value: String? = null) : DistributorChoiceStore {
        override fun load(): String? = value

        override fun save(packageName: String?) {
            value = packageName
        }
    }

    @Test
    fun `the user picks one of two push apps, the pick is kept, and none installed is said`() {
        val choice = MemoryChoice()
        var installed = listOf(PushDistributor("io.heckel.ntfy", "ntfy"), PushDistributor("org.unifiedpush.distributor.sunup", "Sunup"))
        PushDistributorPresenter(choice) { installed }.use { p ->
            shoot("push-choose") { PushDistributorScreen(p.state.value) {} }
            shoot("push-choose-en", language = Language.EN) { PushDistributorScreen(p.state.value) {} }
            runComposeUiTest {
                setContent {
                    val s by p.state.collectAsState()
                    LawCircleTheme { PushDistributorScreen(s, p::onEvent) }
                }
                onNodeWithText("Sunup").performClick()
                waitUntil(timeoutMillis = 5_000L) { p.state.value.route is PushRoute.Use }
                onNodeWithText("通过“Sunup”接收通知").assertExists()
            }
            assertEquals("org.unifiedpush.distributor.sunup", choice.value)
            shoot("push-using") { PushDistributorScreen(p.state.value) {} }
            installed = emptyList()
            runComposeUiTest {
                setContent {
                    val s by p.state.collectAsState()
                    LawCircleTheme { PushDistributorScreen(s, p::onEvent) }
                }
                onNodeWithText("更换推送应用").performClick()
                waitUntil(timeoutMillis = 5_000L) { p.state.value.route == PushRoute.LiveStreamOnly }
                onNodeWithText("手机上没有推送应用").assertExists()
            }
            shoot("push-none") { PushDistributorScreen(p.state.value) {} }
        }
    }

    @Test
    fun `the home asks for a push app while several are installed and none is picked`() {
        val resident = org.lawcircle.ffi.Account(1, "resident", "陈女士", org.lawcircle.ffi.Role.RESIDENT, null)
        val installed = listOf(PushDistributor("io.heckel.ntfy", "ntfy"), PushDistributor("org.unifiedpush.distributor.sunup", "Sunup"))
        PushDistributorPresenter(MemoryChoice()) { installed }.use { p ->
            val home = HomeState(resident, pushNeedsChoice = p.state.value.needsChoice)
            val events = mutableListOf<HomeEvent>()
            runComposeUiTest {
                setContent { LawCircleTheme { HomeScreen(home) { events += it } } }
                onNodeWithText("尚未选择推送应用").assertExists()
                onNodeWithText("选择推送应用").performClick()
            }
            assertEquals(listOf<HomeEvent>(HomeEvent.ChoosePush), events)
            shoot("home-push-needs-choice") { HomeScreen(home) {} }
            // Picked: the home no longer asks.
            p.choose("io.heckel.ntfy")
            runComposeUiTest {
                setContent { LawCircleTheme { HomeScreen(home.copy(pushNeedsChoice = p.state.value.needsChoice)) {} } }
                onNodeWithText("尚未选择推送应用").assertDoesNotExist()
            }
        }
    }
}
