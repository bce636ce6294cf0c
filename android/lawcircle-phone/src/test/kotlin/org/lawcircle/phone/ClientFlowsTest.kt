package org.lawcircle.phone

import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.Test
import org.lawcircle.ffi.ClientConfig
import org.lawcircle.ffi.Credentials
import org.lawcircle.ffi.Datum
import org.lawcircle.ffi.LawCircleClient
import org.lawcircle.ffi.LawCircleException
import org.lawcircle.ffi.Point
import org.lawcircle.ffi.walkEstimate
import java.io.File
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Files
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertIs
import kotlin.test.assertTrue

/** The flows of bindings/tests/client_flows.rs, through the Kotlin bindings. */
class ClientFlowsTest {
    private fun open(serverUrl: String, dir: File): LawCircleClient = LawCircleClient.open(
        ClientConfig(File(dir, "phone/lawcircle.sqlite").path, serverUrl, Credentials("resident-1", "s3cret")),
        OkHttpTransport(),
    )

    private fun tempDir(): File = Files.createTempDirectory("lawcircle-phone").toFile()

    @Test
    fun `health of the demo server through the client`() = runBlocking<Unit> {
        TestServer.start("--demo").use { server ->
            val dir = tempDir()
            open(server.baseUrl, dir).use { client ->
                assertTrue(File(dir, "phone").isDirectory)
                val health = client.serverHealth()
                assertEquals("ok", health.status)
                assertEquals("sqlite", health.database)
                assertTrue(health.catalogueVersion > 0u)
            }
            dir.deleteRecursively()
        }
    }

    @Test
    fun `a demo facility is within the circle of its Amap pin`() {
        TestServer.start("--demo").use { server ->
            // The platform's own HTTP client, as a shell fetching a page.
            val body = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI(server.url("/api/v1/facilities"))).build(),
                HttpResponse.BodyHandlers.ofString(),
            ).body()
            val coords = Regex(""""coordinates":\s*\[\s*([-0-9.]+)\s*,\s*([-0-9.]+)""").find(body)
                ?: error("no point in the catalogue")
            val (lng, lat) = coords.destructured
            val facility = Point(lat.toDouble(), lng.toDouble(), Datum.WGS84)
            val walk = walkEstimate(facility, facility.copy(datum = Datum.GCJ02))
            assertTrue(walk.distanceM in 200.0..700.0, "offset ${walk.distanceM}")
            assertTrue(walk.withinCircle)
        }
    }

    @Test
    fun `connectivity goes online then offline and a cancelled watch hears nothing`() = runBlocking<Unit> {
        val server = TestServer.start("--demo")
        val dir = tempDir()
        open(server.baseUrl, dir).use { client ->
            val kept = ConnectivityPresenter(client, intervalMs = 100)
            val cancelled = ConnectivityPresenter(client, intervalMs = 100)
            kept.start()
            cancelled.start()
            withTimeout(20_000) {
                kept.state.first { it is ConnectivityState.Online }
                cancelled.state.first { it is ConnectivityState.Online }
            }
            cancelled.close()
            server.close()
            val offline = withTimeout(20_000) { kept.state.first { it is ConnectivityState.Offline } }
            assertIs<ConnectivityState.Offline>(offline)
            Thread.sleep(300)
            assertIs<ConnectivityState.Online>(cancelled.state.value)
            kept.refresh()
            assertIs<ConnectivityState.Offline>(kept.state.value)
            kept.close()
        }
        dir.deleteRecursively()
    }

    @Test
    fun `plain http is refused except to this device`() {
        for (url in listOf("http://lawcircle.example.cn", "http://10.0.2.2:8080", "http://127.0.0.1@evil.example")) {
            val e = assertFailsWith<LawCircleException.InvalidInput>(url) {
                LawCircleClient.open(ClientConfig("/tmp/x.sqlite", url, Credentials("u", "")), OkHttpTransport())
            }
            assertEquals("server_url", e.field)
        }
    }

    @Test
    fun `over https only a certificate the phone trusts is accepted`() = runBlocking<Unit> {
        TestServer.start("--demo").use { server ->
            val ca = TestCa()
            TlsProxy(ca, server.port).use { proxy ->
                val dir = tempDir()
                // OkHttp with the JVM's own roots: a CA made by the test is not among them.
                open(proxy.baseUrl, dir).use { client ->
                    val e = assertFailsWith<LawCircleException.Network> { client.serverHealth() }
                    assertTrue("certif" in e.reason.lowercase() || "ssl" in e.reason.lowercase(), e.reason)
                }
                // Trusting that CA alone, the same proxy answers.
                LawCircleClient.open(
                    ClientConfig(File(dir, "tls/lawcircle.sqlite").path, proxy.baseUrl, Credentials("u", "x")),
                    OkHttpTransport(ca.client()),
                ).use { client ->
                    assertEquals("ok", client.serverHealth().status)
                }
                dir.deleteRecursively()
            }
        }
    }

    @Test
    fun `bad configuration is an invalid input naming the field`() {
        val e = assertFailsWith<LawCircleException.InvalidInput> {
            LawCircleClient.open(ClientConfig("/tmp/x.sqlite", "lawcircle.example", Credentials("u", "")), OkHttpTransport())
        }
        assertEquals("server_url", e.field)
        assertEquals("server_url", e.toUiError().field)
    }

    @Test
    fun `an unreachable server is a network error`() = runBlocking<Unit> {
        val dir = tempDir()
        open("http://127.0.0.1:9", dir).use { client ->
            assertFailsWith<LawCircleException.Network> { client.serverHealth() }
        }
        dir.deleteRecursively()
    }
}
