package org.lawcircle.bench

import org.lawcircle.ffi.ServiceProduct
import org.lawcircle.ffi.ClientConfig
import org.lawcircle.ffi.Credentials
import org.lawcircle.ffi.Datum
import org.lawcircle.ffi.LawCircleClient
import org.lawcircle.phone.OkHttpTransport
import org.lawcircle.ffi.NearbyQuery
import org.lawcircle.ffi.Point
import org.lawcircle.ffi.coreVersion
import org.lawcircle.ffi.distanceM
import java.io.File
import java.nio.file.Files

/** Kotlin side of scripts/bench-ffi: the calls of bindings/bench/src/bin/ffi_bench.rs through JNA. */
private fun perCallNs(iters: Long, f: () -> Unit): Double {
    repeat((iters / 10).toInt()) { f() }
    val start = System.nanoTime()
    var i = 0L
    while (i < iters) {
        f()
        i++
    }
    return (System.nanoTime() - start).toDouble() / iters
}

/**
 *     FfiBenchKt [ITERS] [REPO]
 * REPO (for data/longwan/facilities.csv) is the second argument, else the
 * `lawcircle.repo` system property, else the working folder.
 */
fun main(args: Array<String>) {
    val iters = args.firstOrNull()?.toLongOrNull() ?: 200_000L
    val repo = args.getOrNull(1) ?: System.getProperty("lawcircle.repo") ?: "."
    val a = Point(27.93, 120.82, Datum.WGS84)
    val b = Point(27.94, 120.83, Datum.GCJ02)
    var sink = 0.0
    val trivial = perCallNs(iters) { sink += coreVersion().length }
    val distance = perCallNs(iters) { sink += distanceM(a, b) }
    // Nearest k = 5 offline, with a product filter, on the demo catalogue
    // installed from data/longwan/facilities.csv (as ffi_bench.rs).
    val dir = Files.createTempDirectory("lawcircle-bench").toFile()
    val nearest = try {
        LawCircleClient.open(
            ClientConfig(File(dir, "phone.sqlite").path, "http://127.0.0.1:9", Credentials("bench", "")),
            OkHttpTransport(),
        ).use { client ->
            kotlinx.coroutines.runBlocking { client.installCatalogueFile(File(repo, "data/longwan/facilities.csv").path) }
            val query = NearbyQuery(a, 5u, emptyList(), listOf(ServiceProduct.MEDIATION), null, null)
            perCallNs(iters / 10) { sink += client.nearest(query).size }
        }
    } finally {
        dir.deleteRecursively()
    }
    println("kotlin core_version %.1f".format(trivial))
    println("kotlin distance_m %.1f".format(distance))
    println("kotlin nearest_k5 %.1f".format(nearest))
    if (sink == 42.0) println("")
}
