package org.lawcircle.app.viewmodels

import android.app.Application
import androidx.lifecycle.AndroidViewModel
import androidx.lifecycle.SavedStateHandle
import androidx.lifecycle.viewModelScope
import kotlinx.coroutines.CoroutineScope
import org.lawcircle.ffi.LawCircleClient
import org.lawcircle.ffi.NearbyPlace
import org.lawcircle.phone.CompensationPresenter
import org.lawcircle.phone.NewNeedPresenter
import org.lawcircle.phone.PlaceDetailPresenter
import org.lawcircle.ffi.NeedFormDraft
import org.lawcircle.phone.RatingPresenter
import org.lawcircle.phone.SavedStateStore

/** AndroidX's [SavedStateHandle] as lawcircle-phone's [SavedStateStore] (the same get/set by key). */
class SavedStateHandleStore(private val handle: SavedStateHandle) : SavedStateStore {
    override fun get(key: String): Any? = handle.get<Any?>(key)

    override fun set(key: String, value: Any?) {
        handle[key] = value
    }
}

/**
 * Holds the presenters of the screens with forms across rotations (the
 * ViewModel outlives the activity) and, through the [SavedStateHandle],
 * across the process being killed in the background: each presenter
 * writes every edit to the handle and reads it back when made again
 * (tested on the JVM with `MapSavedState`: `SavedStateTest`).
 * Made by the default `SavedStateViewModelFactory` (its
 * `(Application, SavedStateHandle)` constructor).
 */
class FormsViewModel(application: Application, handle: SavedStateHandle) : AndroidViewModel(application) {
    private val saved = SavedStateHandleStore(handle)
    private var client: LawCircleClient? = null
    private var newNeed: NewNeedPresenter? = null
    private var rating: RatingPresenter? = null

    /** The need form of [client]'s user (a new user gets a new form). */
    fun newNeed(client: LawCircleClient): NewNeedPresenter {
        forgetIfOther(client)
        return newNeed ?: NewNeedPresenter(client, viewModelScope, saved = saved).also { newNeed = it }
    }

    /**
     * A draft resumed from the drafts screen: the need form starts again
     * from it (what the form held before is dropped: it was saved as a
     * draft, or the user chose to leave it).
     */
    fun resumeDraft(client: LawCircleClient, draft: NeedFormDraft): NewNeedPresenter {
        forgetIfOther(client)
        newNeed?.close()
        return NewNeedPresenter(client, viewModelScope, saved = saved, draft = draft).also { newNeed = it }
    }

    /** The rating of [orderId] (the stars and comment saved for that order only). */
    fun rating(client: LawCircleClient, orderId: String): RatingPresenter {
        forgetIfOther(client)
        rating?.takeIf { it.state.value.orderId == orderId }?.let { return it }
        rating?.close()
        return RatingPresenter(client, orderId, viewModelScope, saved = saved).also { rating = it }
    }

    /** Signed out, or someone else signed in: the forms were the previous user's. */
    private fun forgetIfOther(client: LawCircleClient) {
        if (this.client === client) return
        newNeed?.let { old ->
            old.reset { org.lawcircle.phone.NeedFields() }
            old.close()
        }
        rating?.close()
        newNeed = null
        rating = null
        this.client = client
    }

    /** A place's detail on the activity's [scope], its place written to the saved state (restored by [restoredPlace]). */
    fun place(place: NearbyPlace, scope: CoroutineScope): PlaceDetailPresenter = PlaceDetailPresenter(place, scope, saved = saved)

    /** The detail that was open before a rotation or the process being killed, made again; null when none was. */
    fun restoredPlace(scope: CoroutineScope): PlaceDetailPresenter? = PlaceDetailPresenter.restore(saved, scope)

    /** The compensation calculators' forms: no account involved (offline, the library's figures), kept across users. */
    val compensation: CompensationPresenter by lazy { CompensationPresenter(viewModelScope, saved = saved) }

    override fun onCleared() {
        newNeed?.close()
        rating?.close()
        compensation.close()
    }
}
