package org.lawcircle.phone

import org.junit.jupiter.api.Test
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertTrue
import kotlin.test.assertIs
import kotlin.test.assertNull

/** Which UnifiedPush distributor the app uses: the rule and the kept choice (no Android, no server). */
class PushDistributorTest {
    private class MemoryChoice(var value: String? = null) : DistributorChoiceStore {
        override fun load(): String? = value

        override fun save(packageName: String?) {
            value = packageName
        }
    }

    private val ntfy = PushDistributor("io.heckel.ntfy", "ntfy")
    private val nextPush = PushDistributor("org.unifiedpush.distributor.nextpush", "NextPush")
    private val sunup = PushDistributor("org.unifiedpush.distributor.sunup", "Sunup")

    @Test
    fun `none installed is the live stream only, one is used without asking, several ask`() {
        assertEquals(PushRoute.LiveStreamOnly, PushDistributorPresenter.route(emptyList(), null))
        assertEquals(PushRoute.LiveStreamOnly, PushDistributorPresenter.route(emptyList(), "io.heckel.ntfy"), "a kept choice since removed")
        assertEquals(PushRoute.Use(ntfy), PushDistributorPresenter.route(listOf(ntfy), null))
        assertEquals(PushRoute.Use(ntfy), PushDistributorPresenter.route(listOf(ntfy), "gone.package"))
        val choose = assertIs<PushRoute.Choose>(PushDistributorPresenter.route(listOf(sunup, ntfy, nextPush, ntfy), null))
        assertEquals(listOf(nextPush, ntfy, sunup), choose.installed, "by name, each once")
        assertEquals(PushRoute.Use(sunup), PushDistributorPresenter.route(listOf(sunup, ntfy), "org.unifiedpush.distributor.sunup"))
        assertIs<PushRoute.Choose>(PushDistributorPresenter.route(listOf(sunup, ntfy), "gone.package"))
    }

    @Test
    fun `the user's pick is kept, survives a restart, and is asked again when its app is removed`() {
        val choice = MemoryChoice()
        var installed = listOf(ntfy, sunup)
        PushDistributorPresenter(choice) { installed }.use { p ->
            assertIs<PushRoute.Choose>(p.state.value.route)
            assertTrue(p.state.value.needsChoice)
            assertNull(p.state.value.distributor, "nothing to register with until the user picks")
            p.choose("not.installed")
            assertIs<PushRoute.Choose>(p.state.value.route, "a package not installed changes nothing")
            assertNull(choice.value)
            p.choose(sunup.packageName)
            assertEquals(PushRoute.Use(sunup), p.state.value.route)
            assertEquals(sunup, p.state.value.distributor)
            assertFalse(p.state.value.needsChoice)
            assertEquals(sunup.packageName, choice.value)
        }
        // The next launch: no question.
        PushDistributorPresenter(choice) { installed }.use { p ->
            assertEquals(PushRoute.Use(sunup), p.state.value.route)
            // Sunup uninstalled, NextPush installed: two left, the user picks again.
            installed = listOf(ntfy, nextPush)
            p.refresh()
            assertEquals(PushRoute.Choose(listOf(nextPush, ntfy)), p.state.value.route)
            // All removed: said so, the live stream on duty is what remains.
            installed = emptyList()
            p.refresh()
            assertEquals(PushRoute.LiveStreamOnly, p.state.value.route)
            installed = listOf(ntfy, sunup)
            p.refresh()
            assertEquals(PushRoute.Use(sunup), p.state.value.route, "the kept choice is back once reinstalled")
            p.changeChoice()
            assertIs<PushRoute.Choose>(p.state.value.route)
            assertNull(choice.value)
        }
    }
}
