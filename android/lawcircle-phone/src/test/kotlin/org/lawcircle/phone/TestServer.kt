package org.lawcircle.phone

import java.io.BufferedReader
import java.io.File
import java.nio.file.Files
import java.util.concurrent.TimeUnit

/**
 * The real `lawcircle-server` binary on a loopback port with its own data
 * folder, as the Rust end-to-end tests start it. The suite passes the
 * binary's path in the `lawcircle.server.bin` system property and the
 * `seed-people` fixture's in `lawcircle.seed.bin`.
 */
class TestServer private constructor(
    private val process: Process,
    val baseUrl: String,
    val dataDir: File,
    private val args: List<String>,
) : AutoCloseable {
    fun url(path: String) = baseUrl + path

    /** The port it listens on (a restart binds the same one). */
    val port: Int get() = baseUrl.substringAfterLast(':').trimEnd('/').toInt()

    /** SIGTERM, then wait. The data folder stays (for [restart]). */
    fun stop() {
        process.destroy()
        if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly().waitFor()
    }

    /** A new server process on the same address and data folder (after [stop]). */
    fun restart(): TestServer = launch(args, "127.0.0.1:$port", dataDir)

    override fun close() {
        stop()
        dataDir.deleteRecursively()
    }

    /**
     * Makes the flows' people on this server (it must run with `--demo`)
     * with the `seed-people` binary, as the Rust flows do.
     */
    fun seedPeople(): People {
        val process = ProcessBuilder(seedBinary(), "--url", baseUrl, "--data-dir", dataDir.path)
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            // It makes the admin with the server's CLI: the same binary as the one serving.
            .apply { environment()["LAWCIRCLE_SERVER_BIN"] = serverBinary() }
            .start()
        val out = process.inputStream.bufferedReader().readText()
        check(process.waitFor(120, TimeUnit.SECONDS) && process.exitValue() == 0) { "seed-people failed" }
        return People.parse(out)
    }

    companion object {
        /** A server on a free port (or [port]) with a fresh data folder. */
        fun start(vararg args: String, port: Int = 0): TestServer =
            launch(args.toList(), "127.0.0.1:$port", Files.createTempDirectory("lawcircle-kt").toFile())

        private fun launch(args: List<String>, bind: String, dir: File): TestServer {
            val process = ProcessBuilder(
                listOf(serverBinary(), "serve", "--bind", bind, "--data-dir", dir.path) + args,
            ).redirectError(ProcessBuilder.Redirect.INHERIT).apply {
                environment()["LAWCIRCLE_LOG"] = "warn"
                // The demo catalogue only: the flows make their own people.
                environment()["LAWCIRCLE_DEMO_PEOPLE"] = "false"
            }.start()
            // Never outlive the tests (a leaked server would hold the suite's output pipe open).
            Runtime.getRuntime().addShutdownHook(Thread { process.destroyForcibly() })
            val reader: BufferedReader = process.inputStream.bufferedReader()
            val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60)
            while (true) {
                val line = reader.readLine() ?: error("the server exited before listening")
                if (line.contains("listening on")) {
                    return TestServer(process, line.trim().substringAfterLast(' '), dir, args)
                }
                check(System.nanoTime() < deadline) { "the server did not start in time" }
            }
        }

        private fun serverBinary(): String = System.getProperty("lawcircle.server.bin")
            ?: error("set -Dlawcircle.server.bin to the lawcircle-server binary")

        private fun seedBinary(): String = System.getProperty("lawcircle.seed.bin")
            ?: error("set -Dlawcircle.seed.bin to the seed-people binary")
    }
}

/** A username and password made by seed-people. */
data class Login(val username: String, val password: String, val id: Long)

/** Everybody a flow needs (see tests/src/people.rs). */
data class People(
    val admin: Login,
    val staff: Login,
    val resident: Login,
    val volunteer: Login,
    val streetCode: String,
    val villageCode: String,
    val postId: String,
    val postLat: Double,
    val postLng: Double,
) {
    companion object {
        fun parse(json: String): People {
            val o = Json.parse(json).obj()
            fun login(name: String): Login {
                val l = o.getValue(name).obj()
                return Login(l.str("username"), l.str("password"), l.num("id").toLong())
            }
            return People(
                login("admin"), login("staff"), login("resident"), login("volunteer"),
                o.str("street_code"), o.str("village_code"), o.str("post_id"), o.num("post_lat"), o.num("post_lng"),
            )
        }
    }
}
