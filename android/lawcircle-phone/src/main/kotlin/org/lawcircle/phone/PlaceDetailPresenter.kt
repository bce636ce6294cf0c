package org.lawcircle.phone

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import org.lawcircle.ffi.LawCircleException
import org.lawcircle.ffi.NearbyPlace
import org.lawcircle.ffi.OpeningSchedule
import org.lawcircle.ffi.openingSchedule

/** A place's detail (服务点详情): what the nearest list found, with its hours day by day. */
data class PlaceDetailState(
    val place: NearbyPlace,
    /** The week from today and the exceptions ahead; null until laid out. */
    val schedule: OpeningSchedule? = null,
    /** The place's hours could not be read (the catalogue's text is the core's to judge). */
    val error: UiError? = null,
)

/**
 * One place picked from the nearest list or map. Everything shown comes
 * from the phone's copy of the catalogue (offline too): the hours are laid
 * out day by day by the library (`opening_schedule`, exceptions applied),
 * "open now" is the nearest search's own answer. Calling and navigating
 * are the app's hand-offs to the dialer and the map app.
 */
class PlaceDetailPresenter(
    place: NearbyPlace,
    scope: CoroutineScope,
    io: CoroutineDispatcher = Dispatchers.IO,
    /** Now, in epoch milliseconds (the tests fix it). */
    private val now: () -> Long = System::currentTimeMillis,
) : ScopedPresenter<PlaceDetailState>(PlaceDetailState(place), scope, io) {
    /** Lays the hours out from today, for a week. */
    fun load(): Job = intent {
        val p = state.value.place
        try {
            val schedule = blocking { openingSchedule(p.openingHours, p.openingExceptions, now(), WEEK) }
            updateState { it.copy(schedule = schedule, error = null) }
        } catch (e: LawCircleException) {
            updateState { it.copy(error = e.toUiError()) }
        }
    }

    private companion object {
        const val WEEK = 7u
    }
}
