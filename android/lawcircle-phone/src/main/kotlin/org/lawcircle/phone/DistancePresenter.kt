package org.lawcircle.phone

import org.lawcircle.ffi.Datum
import org.lawcircle.ffi.LawCircleException
import org.lawcircle.ffi.Point
import org.lawcircle.ffi.walkEstimate

/** A walk between two points, as the core measures it. */
sealed interface DistanceState {
    /** One or both points are missing. */
    data object Incomplete : DistanceState

    data class Measured(val meters: Double, val minutes: Int, val withinCircle: Boolean) : DistanceState

    data class Invalid(val error: UiError) : DistanceState
}

/**
 * "How far is it": the phone's GPS fix (WGS-84) against a point picked on a
 * Chinese map (GCJ-02/BD-09). The core converts datums, so a 300-600 m
 * offset never reaches the screen.
 */
class DistancePresenter : Presenter<DistanceState>(DistanceState.Incomplete) {
    private var from: Point? = null
    private var to: Point? = null

    fun setFrom(lat: Double, lng: Double, datum: Datum = Datum.WGS84) {
        from = Point(lat, lng, datum)
        recompute()
    }

    fun setTo(lat: Double, lng: Double, datum: Datum) {
        to = Point(lat, lng, datum)
        recompute()
    }

    private fun recompute() {
        val a = from
        val b = to
        if (a == null || b == null) {
            setState(DistanceState.Incomplete)
            return
        }
        setState(
            try {
                val walk = walkEstimate(a, b)
                DistanceState.Measured(walk.distanceM, walk.minutes.toInt(), walk.withinCircle)
            } catch (e: LawCircleException) {
                DistanceState.Invalid(e.toUiError())
            },
        )
    }
}
