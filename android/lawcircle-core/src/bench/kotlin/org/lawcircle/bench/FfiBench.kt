package org.lawcircle.bench

import org.lawcircle.ffi.Datum
import org.lawcircle.ffi.Point
import org.lawcircle.ffi.coreVersion
import org.lawcircle.ffi.distanceM

/** Kotlin side of scripts/bench-ffi: the calls of examples/ffi_bench.rs through JNA. */
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

fun main(args: Array<String>) {
    val iters = args.firstOrNull()?.toLongOrNull() ?: 200_000L
    val a = Point(27.93, 120.82, Datum.WGS84)
    val b = Point(27.94, 120.83, Datum.GCJ02)
    var sink = 0.0
    val trivial = perCallNs(iters) { sink += coreVersion().length }
    val distance = perCallNs(iters) { sink += distanceM(a, b) }
    println("kotlin core_version %.1f".format(trivial))
    println("kotlin distance_m %.1f".format(distance))
    if (sink == 42.0) println("")
}
