package org.lawcircle.phone

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import org.lawcircle.ffi.ClientConfig
import org.lawcircle.ffi.Credentials
import org.lawcircle.ffi.LawCircleClient
import java.io.File
import java.nio.file.Files
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/** The volunteer home's duty hours and stars from the real server, and offline. */
class DutyHoursFlowsTest {
    @Test
    fun `the volunteer's stars and the hours to the next star, kept when offline`(): Unit = TestServer.start("--demo").use { server ->
        val people = server.seedPeople()
        val dir: File = Files.createTempDirectory("lawcircle-hours").toFile()
        LawCircleClient.open(
            ClientConfig(File(dir, "volunteer/lawcircle.sqlite").path, server.baseUrl, Credentials("volunteer", people.volunteer.password)),
            OkHttpTransport(),
        ).use { client ->
            runBlocking {
                DutyHoursPresenter(client, this).use { p ->
                    p.load().join()
                    val h = assertNotNull(p.state.value.hours, "${p.state.value.error}")
                    // The stars are the thresholds reached; the next one is what is left to the first not reached.
                    assertEquals(h.starThresholdsHours.count { h.totalHours >= it }, h.stars.toInt(), "$h")
                    val next = h.starThresholdsHours.firstOrNull { it > h.totalHours }
                    assertEquals(next?.minus(h.totalHours), h.hoursToNextStar, "$h")
                    assertTrue(h.monthHours <= h.totalHours, "$h")
                    assertTrue(h.month.matches(Regex("\\d{4}-\\d{2}")), h.month)
                    server.stop()
                    p.load().join()
                    assertTrue(p.state.value.error!!.message.startsWith("No connection"), "${p.state.value.error}")
                    assertNotNull(p.state.value.hours, "what was read stays shown offline")
                    assertNull(p.state.value.error?.field)
                }
            }
        }
        dir.deleteRecursively()
    }
}
