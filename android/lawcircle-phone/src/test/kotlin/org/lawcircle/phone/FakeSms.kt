package org.lawcircle.phone

import java.io.File
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.util.concurrent.TimeUnit

/**
 * The local fake of the SMS provider (tests/src/bin/fake-sms.rs, built next
 * to seed-people): it checks each request's signing as the provider
 * documents it and keeps the messages, which the test reads to find the
 * code a resident received.
 */
class FakeSms private constructor(private val process: Process, val url: String, val serverArgs: List<String>) :
    AutoCloseable {
    private val http = HttpClient.newHttpClient()

    /** The parameters of the last message to [phone] with [template], waiting up to 20 s. */
    fun waitFor(phone: String, template: String): Map<String, Any?> {
        val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20)
        while (true) {
            val r = http.send(HttpRequest.newBuilder(URI(url + "messages")).build(), HttpResponse.BodyHandlers.ofString())
            val found = Json.parse(r.body()).arr().map { it.obj() }
                .lastOrNull { it["phone"] == phone && it["template"] == template }
            if (found != null) return found.getValue("params").obj()
            check(System.nanoTime() < deadline) { "no $template message to $phone" }
            Thread.sleep(100)
        }
    }

    override fun close() {
        process.destroy()
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor()
    }

    companion object {
        const val CODE_TEMPLATE = "SMS_100001"

        fun start(): FakeSms {
            val seed = System.getProperty("lawcircle.seed.bin") ?: error("set -Dlawcircle.seed.bin")
            val bin = File(File(seed).parentFile, "fake-sms").path
            val process = ProcessBuilder(bin).redirectError(ProcessBuilder.Redirect.INHERIT).start()
            Runtime.getRuntime().addShutdownHook(Thread { process.destroyForcibly() })
            val line = process.inputStream.bufferedReader().readLine() ?: error("fake-sms exited")
            val o = Json.parse(line).obj()
            return FakeSms(process, o.str("url"), o.getValue("server_args").arr().map { it as String })
        }
    }
}
