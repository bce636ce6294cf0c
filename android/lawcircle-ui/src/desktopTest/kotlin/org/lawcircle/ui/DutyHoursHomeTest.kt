package org.lawcircle.ui

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import org.lawcircle.phone.ConnectivityState
import org.lawcircle.phone.DutyHoursPresenter
import kotlin.test.assertNotNull

/** The volunteer home with the volunteer's duty hours and stars, read from the real server. */
class DutyHoursHomeTest {
    @Test
    fun `the volunteer home shows the stars and the hours to the next one`(): Unit = World().use { w ->
        val volunteer = w.volunteer()
        val account = runBlocking { volunteer.signIn() }
        withScope { scope ->
            DutyHoursPresenter(volunteer, scope).use { p ->
                runBlocking { p.load().join() }
                val hours = assertNotNull(p.state.value.hours, "${p.state.value.error}")
                val home = HomeState(account, ConnectivityState.Online(1), dutyHours = hours)
                shoot("home-volunteer-hours") { HomeScreen(home) {} }
                shoot("home-volunteer-hours-en", language = Language.EN) { HomeScreen(home.copy(language = Language.EN)) {} }
            }
        }
    }
}
