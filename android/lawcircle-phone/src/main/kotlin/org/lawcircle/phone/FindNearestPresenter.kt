package org.lawcircle.phone

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import org.lawcircle.ffi.FacilityKind
import org.lawcircle.ffi.LawCircleClient
import org.lawcircle.ffi.LawCircleException
import org.lawcircle.ffi.NearbyPlace
import org.lawcircle.ffi.NearbyQuery
import org.lawcircle.ffi.OfflineStatus
import org.lawcircle.ffi.Point
import org.lawcircle.ffi.ServiceProduct
import org.lawcircle.ffi.SpotCoverage

/** The "find the nearest service point" screen (就近查找). */
data class FindNearestState(
    /** Where the user stands (any datum); nothing is searched before it is known. */
    val position: Point? = null,
    /** Facility kinds (any of them); empty: all kinds. */
    val kinds: List<FacilityKind> = emptyList(),
    /** Service products (all of them); empty: any. */
    val products: List<ServiceProduct> = emptyList(),
    val k: Int = 5,
    /** What the phone holds offline (catalogue version, when fetched, walking network). */
    val catalogue: OfflineStatus? = null,
    val refreshing: Boolean = false,
    /** The last refresh found no connection: results come from the phone's copy. */
    val offline: Boolean = false,
    val searching: Boolean = false,
    /** Nearest first. */
    val places: List<NearbyPlace> = emptyList(),
    /** Which of the eight service products are within a 15-minute walk of [position]. */
    val coverage: SpotCoverage? = null,
    /** Walking distances are estimated (straight line × detour): no walking network loaded. */
    val estimated: Boolean = true,
    val error: UiError? = null,
)

/**
 * Finds the nearest legal service points by walking distance on the
 * phone's copy of the catalogue, so it works offline; [refresh] brings the
 * copy up to date when the platform is reachable.
 */
class FindNearestPresenter(
    private val client: LawCircleClient,
    scope: CoroutineScope,
    io: CoroutineDispatcher = Dispatchers.IO,
) : ScopedPresenter<FindNearestState>(FindNearestState(), scope, io) {
    private var searchJob: Job? = null

    /** Reads what the phone holds, without the network. */
    fun load(): Job = intent {
        try {
            val status = blocking { client.offlineStatus() }
            updateState { it.copy(catalogue = status, estimated = !status.walkingNetwork) }
        } catch (e: LawCircleException) {
            updateState { it.copy(error = e.toUiError()) }
        }
    }

    /**
     * Fetches what changed in the catalogue. Offline this is no error: the
     * screen says it shows the phone's copy and searches on.
     */
    fun refresh(): Job = intent {
        updateState { it.copy(refreshing = true, error = null) }
        try {
            val status = client.refreshCatalogue()
            updateState { it.copy(refreshing = false, offline = false, catalogue = status) }
        } catch (e: LawCircleException.Network) {
            val status = runCatching { blocking { client.offlineStatus() } }.getOrNull()
            updateState { it.copy(refreshing = false, offline = true, catalogue = status ?: it.catalogue) }
        } catch (e: LawCircleException) {
            updateState { it.copy(refreshing = false, error = e.toUiError()) }
        }
        if (state.value.position != null) search().join()
    }

    /** Loads a walking network file (`.lcwn`) so distances are on foot, then searches again. */
    fun useWalkingNetwork(path: String): Job = intent {
        try {
            client.loadWalkingNetwork(path)
            val status = blocking { client.offlineStatus() }
            updateState { it.copy(catalogue = status, error = null) }
        } catch (e: LawCircleException) {
            updateState { it.copy(error = e.toUiError()) }
            return@intent
        }
        if (state.value.position != null) search().join()
    }

    /** The user's position changed (a GPS fix or a pick on the map). */
    fun setPosition(point: Point): Job {
        updateState { it.copy(position = point) }
        return search()
    }

    fun setFilters(
        kinds: List<FacilityKind> = state.value.kinds,
        products: List<ServiceProduct> = state.value.products,
    ): Job {
        updateState { it.copy(kinds = kinds, products = products) }
        return search()
    }

    /** Searches again with the current position and filters; a newer search replaces a running one. */
    @Synchronized
    fun search(): Job {
        searchJob?.cancel()
        val job = intent {
            val s = state.value
            val at = s.position ?: return@intent
            updateState { it.copy(searching = true, error = null) }
            try {
                val query = NearbyQuery(at, s.k.coerceAtLeast(0).toUInt(), s.kinds, s.products, null, null)
                val places = blocking { client.nearest(query) }
                val coverage = blocking { client.coverageAt(at) }
                updateState {
                    it.copy(
                        searching = false,
                        places = places,
                        coverage = coverage,
                        estimated = coverage.walkingEstimated || places.any { p -> p.walkingEstimated },
                    )
                }
            } catch (e: LawCircleException) {
                updateState { it.copy(searching = false, places = emptyList(), coverage = null, error = e.toUiError()) }
            }
        }
        searchJob = job
        return job
    }
}
