package org.lawcircle.phone

import com.sun.net.httpserver.HttpExchange
import com.sun.net.httpserver.HttpServer
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.delay
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.Test
import org.lawcircle.ffi.ClientConfig
import org.lawcircle.ffi.Credentials
import org.lawcircle.ffi.LawCircleClient
import org.lawcircle.ffi.NeedCategory
import org.lawcircle.ffi.OutboxState
import java.io.File
import java.net.InetAddress
import java.net.InetSocketAddress
import java.nio.file.Files
import java.util.concurrent.CountDownLatch
import java.util.concurrent.Executors
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith

/**
 * Cancelling a coroutine that awaits the library cancels the Rust work: a
 * sync caught with a need in flight (a local fake server answers the
 * session calls and never the need) stops when the coroutine is cancelled,
 * and the need goes back to the queue instead of waiting out the request's
 * timeout as `sending`.
 */
class CancellationTest {
    private fun HttpExchange.json(body: String) {
        val bytes = body.toByteArray()
        responseHeaders.add("content-type", "application/json")
        sendResponseHeaders(200, bytes.size.toLong())
        responseBody.use { it.write(bytes) }
    }

    @Test
    fun `a cancelled coroutine cancels the sync in Rust and requeues its entry`() = runBlocking<Unit> {
        val posted = CompletableDeferred<Unit>()
        val release = CountDownLatch(1)
        val server = HttpServer.create(InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0)
        server.executor = Executors.newCachedThreadPool()
        server.createContext("/health") {
            it.json("""{"status":"ok","database":"sqlite","catalogue_version":1,"version":"fake","sms":"not_configured","instance":"fake","jobs_leader":null,"notifications":[]}""")
        }
        server.createContext("/api/v1/auth/login") {
            it.json("""{"token":"t","expires_at":"2030-01-01T00:00:00Z","account":{"id":7,"username":"resident","display_name":"R","role":"resident","street_code":null,"phone":null,"id_number":null,"disabled":false,"created_at":"2025-01-01T00:00:00Z"}}""")
        }
        server.createContext("/api/v1/me") { it.json("{}") }
        server.createContext("/api/v1/needs") {
            // Never answered while the test runs.
            posted.complete(Unit)
            release.await()
            it.close()
        }
        server.start()
        val dir = Files.createTempDirectory("lawcircle-cancel").toFile()
        try {
            LawCircleClient.open(
                ClientConfig(File(dir, "phone.sqlite").path, "http://127.0.0.1:${server.address.port}", Credentials("resident", "x")),
                OkHttpTransport(),
            ).use { client ->
                val fields = NeedFields(
                    requesterName = "李四", requesterPhone = "13812345678", category = NeedCategory.CONSULTATION,
                    description = "邻居装修噪音纠纷，希望咨询如何处理", address = "永中街道示例社区",
                    areaCode = "330303001001", consentGiven = true,
                )
                val key = client.submitNeed(fields.toNeedForm(emptyList()))
                val sync = async(Dispatchers.IO) { client.sync(0u) }
                withTimeout(60_000) { posted.await() }
                assertEquals(OutboxState.SENDING, client.outboxEntry(key).state)
                sync.cancel()
                assertFailsWith<CancellationException> { sync.await() }
                // Back in the queue (not left `sending` until the request times out).
                var state = client.outboxEntry(key).state
                repeat(500) {
                    if (state == OutboxState.SENDING) {
                        delay(20)
                        state = client.outboxEntry(key).state
                    }
                }
                assertEquals(OutboxState.NOT_SENT, state)
            }
        } finally {
            release.countDown()
            server.stop(0)
            dir.deleteRecursively()
        }
    }
}
