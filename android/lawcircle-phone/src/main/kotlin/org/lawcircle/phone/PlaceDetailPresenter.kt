package org.lawcircle.phone

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import org.lawcircle.ffi.Datum
import org.lawcircle.ffi.FacilityKind
import org.lawcircle.ffi.LawCircleException
import org.lawcircle.ffi.NearbyPlace
import org.lawcircle.ffi.OpeningSchedule
import org.lawcircle.ffi.Point
import org.lawcircle.ffi.ServiceProduct
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
 *
 * The open place is written to [saved] (the catalogue's public data, no
 * personal data), so after a rotation or the process being killed the
 * detail comes back through [restore] with the place the user had open,
 * until [dismiss] (the user went back).
 */
class PlaceDetailPresenter(
    place: NearbyPlace,
    scope: CoroutineScope,
    io: CoroutineDispatcher = Dispatchers.IO,
    /** Now, in epoch milliseconds (the tests fix it). */
    private val now: () -> Long = System::currentTimeMillis,
    private val saved: SavedStateStore? = null,
) : ScopedPresenter<PlaceDetailState>(PlaceDetailState(place), scope, io) {
    init {
        saved?.let { place.saveTo(it) }
    }

    /** The user left the detail: it is not restored any more. */
    fun dismiss() {
        saved?.set(KEY_OPEN, false)
        close()
    }

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

    companion object {
        private const val WEEK = 7u
        private const val KEY_OPEN = "place.open"

        /** The place open when the state was saved, or null (none open, or saved by a version that did not know it). */
        fun savedPlace(saved: SavedStateStore): NearbyPlace? {
            if (saved.bool(KEY_OPEN) != true) return null
            val s = { k: String -> saved.string("place.$k") }
            val d = { k: String -> saved["place.$k"] as? Double }
            return NearbyPlace(
                facilityId = s("facilityId") ?: return null,
                name = s("name") ?: return null,
                kind = saved.enum<FacilityKind>("place.kind") ?: return null,
                kindName = s("kindName") ?: return null,
                address = s("address") ?: return null,
                phone = s("phone"),
                point = Point(d("lat") ?: return null, d("lng") ?: return null, saved.enum<Datum>("place.datum") ?: return null),
                products = (s("products") ?: return null).split(',').filter { it.isNotEmpty() }.map { n ->
                    ServiceProduct.entries.firstOrNull { it.name == n } ?: return null
                },
                straightM = d("straightM") ?: return null,
                walkingM = d("walkingM"),
                walkingMinutes = d("walkingMinutes"),
                walkingEstimated = saved.bool("place.walkingEstimated") ?: return null,
                withinCircle = saved.bool("place.withinCircle") ?: return null,
                openingHours = s("openingHours") ?: return null,
                openingExceptions = s("openingExceptions") ?: return null,
                openNow = saved.bool("place.openNow") ?: return null,
            )
        }

        /** The detail of the place saved as open, made again (its hours laid out anew by [load]); null when none was open. */
        fun restore(
            saved: SavedStateStore,
            scope: CoroutineScope,
            io: CoroutineDispatcher = Dispatchers.IO,
            now: () -> Long = System::currentTimeMillis,
        ): PlaceDetailPresenter? = savedPlace(saved)?.let { PlaceDetailPresenter(it, scope, io, now, saved) }

        private fun NearbyPlace.saveTo(store: SavedStateStore) {
            store["place.facilityId"] = facilityId
            store["place.name"] = name
            store["place.kind"] = kind.name
            store["place.kindName"] = kindName
            store["place.address"] = address
            store["place.phone"] = phone
            store["place.lat"] = point.lat
            store["place.lng"] = point.lng
            store["place.datum"] = point.datum.name
            store["place.products"] = products.joinToString(",") { it.name }
            store["place.straightM"] = straightM
            store["place.walkingM"] = walkingM
            store["place.walkingMinutes"] = walkingMinutes
            store["place.walkingEstimated"] = walkingEstimated
            store["place.withinCircle"] = withinCircle
            store["place.openingHours"] = openingHours
            store["place.openingExceptions"] = openingExceptions
            store["place.openNow"] = openNow
            // Last: a half-written place is never read back as open.
            store[KEY_OPEN] = true
        }
    }
}
