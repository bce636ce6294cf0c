package org.lawcircle.core

import java.io.BufferedReader
import java.io.File
import java.nio.file.Files
import java.util.concurrent.TimeUnit

/**
 * The real `lawcircle-server` binary on a free loopback port with its own
 * data folder, as the Rust end-to-end tests start it. The suite passes the
 * binary's path in the `lawcircle.server.bin` system property.
 */
class TestServer private constructor(private val process: Process, val baseUrl: String, val dataDir: File) :
    AutoCloseable {
    fun url(path: String) = baseUrl + path

    /** SIGTERM, then wait. */
    fun stop() {
        process.destroy()
        if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly().waitFor()
    }

    override fun close() {
        stop()
        dataDir.deleteRecursively()
    }

    companion object {
        fun start(vararg args: String): TestServer {
            val bin = System.getProperty("lawcircle.server.bin")
                ?: error("set -Dlawcircle.server.bin to the lawcircle-server binary")
            val dir = Files.createTempDirectory("lawcircle-kt").toFile()
            val process = ProcessBuilder(
                listOf(bin, "serve", "--bind", "127.0.0.1:0", "--data-dir", dir.path) + args,
            ).redirectError(ProcessBuilder.Redirect.INHERIT).apply {
                environment()["LAWCIRCLE_LOG"] = "warn"
            }.start()
            val reader: BufferedReader = process.inputStream.bufferedReader()
            val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60)
            while (true) {
                val line = reader.readLine() ?: error("the server exited before listening")
                if (line.contains("listening on")) {
                    return TestServer(process, line.trim().substringAfterLast(' '), dir)
                }
                check(System.nanoTime() < deadline) { "the server did not start in time" }
            }
        }
    }
}
