package org.lawcircle.phone

import org.junit.jupiter.api.Test
import java.time.LocalDate
import kotlin.test.assertEquals
import kotlin.test.assertIs

/** The station's connect QR code, and the opening exceptions cut to today's and later ones: no server. */
class StationCodeTest {
    private fun server(payload: String) = assertIs<StationCode.Parsed.Server>(StationCode.parse(payload), payload).url

    private fun refused(payload: String) = assertIs<StationCode.Parsed.Refused>(StationCode.parse(payload), payload).reason

    @Test
    fun `a connect code gives its https address, or plain http to loopback only`() {
        assertEquals("https://fw.longwan.example/api", server("lawcircle://connect?server=https%3A%2F%2Ffw.longwan.example%2Fapi%2F"))
        assertEquals("https://fw.longwan.example", server("  LAWCIRCLE://connect?server=https://fw.longwan.example  "))
        assertEquals("https://a.example:8443", server("https://a.example:8443/"))
        assertEquals("http://127.0.0.1:8080", server("lawcircle://connect?server=http%3A%2F%2F127.0.0.1%3A8080"))
        assertEquals("http://localhost:8080", server("lawcircle://connect?server=http://localhost:8080"))
        assertEquals("http://[::1]:8080", server("lawcircle://connect?server=http%3A%2F%2F%5B%3A%3A1%5D%3A8080"))
    }

    @Test
    fun `bad payloads are refused with a reason`() {
        refused("")
        refused("   ")
        refused("WIFI:S:station;T:WPA;P:secret;;")
        refused("lawcircle://other?server=https://x.example")
        refused("lawcircle://connect")
        refused("lawcircle://connect?server=")
        refused("lawcircle://connect?server=https://a.example&server=https://b.example")
        refused("lawcircle://connect?server=ftp://x.example")
        refused("lawcircle://connect?server=%E0%A4%A")
        refused("https://")
        refused("not a url at all")
        // Plain HTTP off loopback: a station code cannot send a phone to an unencrypted platform.
        assertEquals("http:// only to loopback", refused("lawcircle://connect?server=http%3A%2F%2Ffw.longwan.example"))
        refused("http://10.0.0.5:8080")
        refused("http://127.0.0.1.evil.example")
        refused("http://localhost.evil.example")
        // More than an address: credentials, a query or a fragment are not taken.
        refused("lawcircle://connect?server=https%3A%2F%2Fuser%3Apass%40fw.example")
        refused("https://fw.example/?next=https://evil.example")
        refused("https://fw.example/#x")
    }

    @Test
    fun `only today's and later opening exceptions are shown`() {
        val text = "2025-10-01 off; 2025-10-08 off; 2026-01-01 off; 2026-02-15 08:30-12:00"
        val today = LocalDate.of(2025, 10, 8)
        assertEquals("2025-10-08 off; 2026-01-01 off; 2026-02-15 08:30-12:00", OpeningExceptions.upcoming(text, today))
        assertEquals("", OpeningExceptions.upcoming(text, LocalDate.of(2027, 1, 1)))
        assertEquals(text, OpeningExceptions.upcoming(text, LocalDate.of(2025, 1, 1)))
        assertEquals("", OpeningExceptions.upcoming("", today))
        assertEquals("someday off", OpeningExceptions.upcoming("2025-01-01 off; someday off", today), "an unreadable date is kept")
    }
}
