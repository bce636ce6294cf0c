package org.lawcircle.phone

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import org.lawcircle.ffi.DutyHours
import org.lawcircle.ffi.LawCircleClient
import org.lawcircle.ffi.LawCircleException

/** The volunteer's own duty hours and star level, as the volunteer home shows them. */
data class DutyHoursState(
    val loading: Boolean = false,
    val hours: DutyHours? = null,
    val error: UiError? = null,
)

/** Reads the signed-in volunteer's duty hours (total, this month), stars and the hours to the next star. */
class DutyHoursPresenter(
    private val client: LawCircleClient,
    scope: CoroutineScope,
    io: CoroutineDispatcher = Dispatchers.IO,
) : ScopedPresenter<DutyHoursState>(DutyHoursState(), scope, io) {
    fun load(): Job = intent {
        if (state.value.loading) return@intent
        updateState { it.copy(loading = true, error = null) }
        try {
            val hours = client.myDutyHours()
            updateState { it.copy(loading = false, hours = hours) }
        } catch (e: LawCircleException) {
            updateState { it.copy(loading = false, error = e.toUiError()) }
        }
    }
}
