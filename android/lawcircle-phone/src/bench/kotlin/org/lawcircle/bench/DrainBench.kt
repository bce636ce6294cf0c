package org.lawcircle.bench

import kotlinx.coroutines.runBlocking
import org.lawcircle.ffi.Channel
import org.lawcircle.ffi.ClientConfig
import org.lawcircle.ffi.Credentials
import org.lawcircle.ffi.LawCircleClient
import org.lawcircle.ffi.NeedCategory
import org.lawcircle.phone.NeedFields
import org.lawcircle.phone.OkHttpTransport
import java.io.File
import java.nio.file.Files

/**
 * Kotlin side of scripts/bench-drain: N needs queued on the phone, then
 * drained to the server by the library's sync through OkHttp. The same
 * steps as bindings/bench/src/bin/drain_bench.rs (reqwest).
 *
 *   DrainBenchKt URL USERNAME PASSWORD AREA_CODE N
 */
fun main(args: Array<String>) = runBlocking {
    val (url, username, password, areaCode) = args
    val n = args[4].toInt()
    val dir = Files.createTempDirectory("lawcircle-drain").toFile()
    try {
        LawCircleClient.open(
            ClientConfig(File(dir, "phone.sqlite").path, url, Credentials(username, password)),
            OkHttpTransport(),
        ).use { client ->
            client.signIn()
            val form = NeedFields(
                requesterName = "李四",
                requesterPhone = "13812345678",
                category = NeedCategory.CONSULTATION,
                description = "邻居装修噪音纠纷，希望咨询如何处理",
                address = "永中街道示例社区",
                areaCode = areaCode,
                channel = Channel.ONLINE,
                consentGiven = true,
            ).toNeedForm(emptyList())
            repeat(n) { client.submitNeed(form) }
            val start = System.nanoTime()
            val report = client.sync(600_000u)
            val seconds = (System.nanoTime() - start) / 1e9
            check(report.sent == n.toULong() && report.pending == 0uL) { "not all sent: $report" }
            println("kotlin drain_$n ${"%.2f".format(seconds)}")
        }
    } finally {
        dir.deleteRecursively()
    }
}
