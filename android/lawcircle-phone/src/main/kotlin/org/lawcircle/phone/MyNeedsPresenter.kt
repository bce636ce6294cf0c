package org.lawcircle.phone

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import org.lawcircle.ffi.LawCircleClient
import org.lawcircle.ffi.LawCircleException
import org.lawcircle.ffi.NeedStatus

/** The "my needs" screen (我的需求): each need with its progress. */
data class MyNeedsState(
    val needs: List<NeedStatus> = emptyList(),
    val loading: Boolean = false,
    val error: UiError? = null,
) {
    /** The needs whose service the user may rate now (the server says so). */
    val rateable: List<NeedStatus> get() = needs.filter { it.mayRate }
}

/**
 * The needs the user filed or that were filed for them (a lawyer on site
 * entering their verified number), as the server has them. A need that
 * may be rated opens the rating screen ([RatingPresenter]) with its order.
 */
class MyNeedsPresenter(
    private val client: LawCircleClient,
    scope: CoroutineScope,
    io: CoroutineDispatcher = Dispatchers.IO,
) : ScopedPresenter<MyNeedsState>(MyNeedsState(), scope, io) {
    fun refresh(): Job = intent {
        updateState { it.copy(loading = true, error = null) }
        try {
            val needs = client.myNeeds()
            updateState { it.copy(loading = false, needs = needs) }
        } catch (e: LawCircleException) {
            updateState { it.copy(loading = false, error = e.toUiError()) }
        }
    }
}
