package org.lawcircle.phone

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import org.lawcircle.ffi.ClockInCheck
import org.lawcircle.ffi.Datum
import org.lawcircle.ffi.DeviceTime
import org.lawcircle.ffi.DutyPostInfo
import org.lawcircle.ffi.FenceVerdict
import org.lawcircle.ffi.FixSource
import org.lawcircle.ffi.GpsFix
import org.lawcircle.ffi.LawCircleClient
import org.lawcircle.ffi.LawCircleException
import org.lawcircle.ffi.Point
import org.lawcircle.ffi.PunchKind

/**
 * A fix as Android's `Location` reports it, in plain types so the mapping
 * to the core's [GpsFix] is tested on the JVM. The app's FusedLocation
 * adapter fills it field by field.
 */
data class LocationFix(
    val latitude: Double,
    val longitude: Double,
    /** `Location.getAccuracy()` when `hasAccuracy()`, else null. */
    val accuracyM: Float?,
    /** `Location.getProvider()`: `gps`, `network`, `fused`, `passive`… */
    val provider: String?,
    /** `Location.isMock()` (API 31+), `isFromMockProvider()` before. */
    val isMock: Boolean,
    /** `Location.getTime()`: the wall clock of the fix (ms since the epoch). */
    val timeMillis: Long,
    /** `Location.getElapsedRealtimeNanos()`: the monotonic clock of the fix. */
    val elapsedRealtimeNanos: Long,
    /** `Location.getSpeed()` when `hasSpeed()`, else null. */
    val speedMps: Float? = null,
)

/**
 * The core's fix: WGS-84 (what Android's providers report), both clocks.
 * A fix without an accuracy is no fix at all (null): claiming 0 m would
 * overstate it, and the core rates a missing fix "uncertain" for staff.
 */
fun LocationFix.toGpsFix(): GpsFix? {
    val accuracy = accuracyM?.toDouble()?.takeIf { it.isFinite() && it >= 0.0 } ?: return null
    return GpsFix(
        lat = latitude,
        lng = longitude,
        datum = Datum.WGS84,
        accuracyM = accuracy,
        source = fixSource(provider),
        isMock = isMock,
        wallTimeMs = timeMillis,
        elapsedMs = nanosToMs(elapsedRealtimeNanos),
        speedMps = speedMps?.toDouble()?.takeIf { it.isFinite() },
    )
}

fun fixSource(provider: String?): FixSource = when (provider?.lowercase()) {
    "gps" -> FixSource.GPS
    "network" -> FixSource.NETWORK
    "fused" -> FixSource.FUSED
    "passive" -> FixSource.PASSIVE
    else -> FixSource.UNKNOWN
}

/** The device's two clocks read together: wall (`System.currentTimeMillis`) and `elapsedRealtimeNanos`. */
fun deviceTime(wallMs: Long, elapsedRealtimeNanos: Long): DeviceTime =
    DeviceTime(wallMs, nanosToMs(elapsedRealtimeNanos))

private fun nanosToMs(nanos: Long): ULong = (nanos.coerceAtLeast(0) / 1_000_000).toULong()

/** Reads the device's clocks when the volunteer taps. The app passes `SystemClock`'s. */
fun interface DeviceClock {
    fun now(): DeviceTime
}

/** A punch made: what the phone decided (the server re-checks with the same rules). */
data class PunchOutcome(
    val kind: PunchKind,
    val postId: String,
    val punchId: String,
    /** The outbox entry delivering it. */
    val outboxKey: String,
    val verdict: FenceVerdict,
    /** Codes, e.g. `inside_fence`, `outside_fence`, `mock_location`. */
    val reasons: List<String>,
    val flags: List<String>,
    /** Made without a connection (delivered by the next sync). */
    val offline: Boolean,
)

/** The clock-in screen (签到/签退). */
data class ClockInState(
    /** Nearest first once a fix arrived. */
    val posts: List<DutyPostInfo> = emptyList(),
    val postId: String? = null,
    /** A fix is known (its coordinates stay in the presenter). */
    val hasFix: Boolean = false,
    val accuracyM: Double? = null,
    /** The live "inside / outside" for the chosen post and the latest fix. */
    val check: ClockInCheck? = null,
    val refreshing: Boolean = false,
    val punching: Boolean = false,
    val outcome: PunchOutcome? = null,
    val error: UiError? = null,
)

/**
 * Clock-in at a duty post with GPS geofencing: the posts near the user,
 * a live check as fixes arrive, and the punch itself, decided on the
 * phone by the core and queued in the outbox (delivered by a sync).
 */
class ClockInPresenter(
    private val client: LawCircleClient,
    scope: CoroutineScope,
    private val clock: DeviceClock,
    io: CoroutineDispatcher = Dispatchers.IO,
) : ScopedPresenter<ClockInState>(ClockInState(), scope, io) {
    @Volatile
    private var fix: GpsFix? = null
    private var checkJob: Job? = null

    /** Fetches the duty posts (online), then lists them. Offline the phone's copy is listed. */
    fun refresh(): Job = intent {
        updateState { it.copy(refreshing = true, error = null) }
        val error = try {
            client.refreshCatalogue()
            null
        } catch (e: LawCircleException.Network) {
            null
        } catch (e: LawCircleException) {
            e.toUiError()
        }
        updateState { it.copy(refreshing = false, error = error) }
        listPosts()
        recheck()
    }

    /** Lists the posts on the phone, nearest first when a fix is known. */
    fun loadPosts(): Job = intent { listPosts() }

    fun selectPost(postId: String): Job {
        updateState { it.copy(postId = postId, check = null, outcome = null) }
        return intent { recheck() }
    }

    /** The adapter's fix; null when the platform gave none usable. */
    fun onLocation(location: LocationFix): Job = onFix(location.toGpsFix())

    /** A fix arrived: the posts are sorted around it and the live check runs again. */
    fun onFix(newFix: GpsFix?): Job {
        fix = newFix
        updateState { it.copy(hasFix = newFix != null, accuracyM = newFix?.accuracyM) }
        return intent {
            listPosts()
            recheck()
        }
    }

    /** Clocks in or out at the chosen post with the latest fix, at [at] (now by default). */
    fun punch(kind: PunchKind, at: DeviceTime = clock.now()): Job = intent {
        val postId = state.value.postId
        if (postId == null) {
            updateState { it.copy(error = UiError("Choose a duty post first", "post_id")) }
            return@intent
        }
        if (state.value.punching) return@intent
        updateState { it.copy(punching = true, error = null) }
        val usedFix = fix
        try {
            val r = client.clockIn(postId, kind, usedFix, at)
            updateState {
                it.copy(
                    punching = false,
                    check = r.check,
                    outcome = PunchOutcome(
                        kind, postId, r.punchId, r.outboxKey, r.check.verdict, r.check.reasons, r.check.flags, r.offline,
                    ),
                )
            }
        } catch (e: LawCircleException) {
            updateState { it.copy(punching = false, error = e.toUiError()) }
        }
    }

    private suspend fun listPosts() {
        val near = fix?.let { Point(it.lat, it.lng, it.datum) }
        try {
            val posts = blocking { client.dutyPosts(near) }
            updateState { s ->
                // The nearest post is preselected; the user may pick another.
                val chosen = s.postId ?: posts.firstOrNull()?.takeIf { near != null }?.id
                s.copy(posts = posts, postId = chosen)
            }
        } catch (e: LawCircleException) {
            // An invalid fix (e.g. swapped coordinates): list without distances.
            val posts = runCatching { blocking { client.dutyPosts(null) } }.getOrDefault(state.value.posts)
            updateState { it.copy(posts = posts, error = e.toUiError()) }
        }
    }

    @Synchronized
    private fun startCheck(postId: String, at: DeviceTime): Job {
        checkJob?.cancel()
        val f = fix
        val job = intent {
            try {
                val check = blocking { client.checkClockIn(postId, f, at) }
                updateState { if (it.postId == postId) it.copy(check = check) else it }
            } catch (e: LawCircleException) {
                updateState { it.copy(check = null, error = e.toUiError()) }
            }
        }
        checkJob = job
        return job
    }

    private suspend fun recheck() {
        val postId = state.value.postId ?: return
        // What clocking in now would decide (a stale fix is the core's to judge).
        startCheck(postId, clock.now()).join()
    }
}
