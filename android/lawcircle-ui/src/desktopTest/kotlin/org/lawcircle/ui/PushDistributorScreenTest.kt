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
}
