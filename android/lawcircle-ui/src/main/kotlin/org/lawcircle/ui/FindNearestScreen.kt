package org.lawcircle.ui

import androidx.compose.foundation.horizontalScroll
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.rememberScrollState
import androidx.compose.material3.Card
import androidx.compose.material3.FilterChip
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import org.lawcircle.ffi.NearbyPlace
import org.lawcircle.ffi.ServiceProduct
import org.lawcircle.phone.FindNearestPresenter
import org.lawcircle.phone.FindNearestState
import org.lawcircle.phone.OpeningExceptions

sealed interface FindNearestEvent {
    /** Brings the phone's copy of the catalogue up to date (online). */
    data object Refresh : FindNearestEvent

    /** Shows only places offering the product (a second tap lifts the filter). */
    data class ToggleProduct(val product: ServiceProduct) : FindNearestEvent

    /** Searches again (after an error). */
    data object Retry : FindNearestEvent

    /** Hands the place to the phone's dialer or map app (the Android glue does it). */
    data class Call(val phone: String) : FindNearestEvent
    data class Navigate(val place: NearbyPlace) : FindNearestEvent

    /** The place's own screen (navigation: the app opens [PlaceDetailScreen]). */
    data class Open(val place: NearbyPlace) : FindNearestEvent
}

/** The presenter's part of the events; [FindNearestEvent.Call], [FindNearestEvent.Navigate] and [FindNearestEvent.Open] are the app's. */
fun FindNearestPresenter.onEvent(e: FindNearestEvent) {
    when (e) {
        FindNearestEvent.Refresh -> refresh()
        is FindNearestEvent.ToggleProduct -> {
            val now = state.value.products
            setFilters(products = if (e.product in now) now - e.product else now + e.product)
        }
        FindNearestEvent.Retry -> search()
        is FindNearestEvent.Call, is FindNearestEvent.Navigate, is FindNearestEvent.Open -> Unit
    }
}

/** 就近查找: the nearest service points by walking distance, offline too. */
@Composable
fun FindNearestScreen(state: FindNearestState, onEvent: (FindNearestEvent) -> Unit) {
    val t = strings
    val subtitle = state.catalogue?.let { t.placesOnPhone(it.facilities.toLong()) } ?: t.catalogue
    ScreenFrame(t.findTitle, subtitle) {
        Row(Modifier.fillMaxWidth(), horizontalArrangement = Arrangement.SpaceBetween) {
            state.coverage?.let {
                Text(
                    t.coverage(it.covered.toLong(), it.total.toLong()),
                    // The text wraps; the button keeps its width in every language.
                    Modifier.weight(1f).padding(top = 12.dp),
                    style = MaterialTheme.typography.bodyMedium,
                )
            } ?: Text("", Modifier.weight(1f))
            TextButton({ onEvent(FindNearestEvent.Refresh) }, enabled = !state.refreshing) { Text(t.updateCatalogue) }
        }
        if (state.refreshing) Loading(t.updatingCatalogue)
        if (state.offline) Notice(t.offlineTitle, t.offlineCatalogue, Tone.Warning)
        ProductFilters(state, onEvent)
        ErrorNotice(state.error)
        when {
            state.position == null -> Loading(t.locating)
            state.searching && state.places.isEmpty() -> Loading(t.searchingNearby)
            state.error != null -> TextButton({ onEvent(FindNearestEvent.Retry) }) { Text(t.searchAgain) }
            state.places.isEmpty() -> Empty(t.noPlaces, t.noPlacesHint)
            else -> {
                if (state.estimated) {
                    Text(t.walkEstimated, style = MaterialTheme.typography.bodySmall, color = MaterialTheme.colorScheme.onSurfaceVariant)
                }
                LazyColumn(verticalArrangement = Arrangement.spacedBy(8.dp)) {
                    items(state.places, key = { it.facilityId }) { PlaceCard(it, onEvent) }
                }
            }
        }
    }
}

@Composable
private fun ProductFilters(state: FindNearestState, onEvent: (FindNearestEvent) -> Unit) {
    val products = state.coverage?.products ?: return
    Row(Modifier.horizontalScroll(rememberScrollState()), horizontalArrangement = Arrangement.spacedBy(6.dp)) {
        products.forEach { p ->
            FilterChip(
                selected = p.product in state.products,
                onClick = { onEvent(FindNearestEvent.ToggleProduct(p.product)) },
                label = { Text(strings.product(p.product)) },
            )
        }
    }
}

@OptIn(ExperimentalLayoutApi::class)
@Composable
private fun PlaceCard(place: NearbyPlace, onEvent: (FindNearestEvent) -> Unit) {
    val t = strings
    Card(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(12.dp)) {
            Text(place.name, style = MaterialTheme.typography.titleSmall)
            Text(t.facilityKind(place.kind), style = MaterialTheme.typography.bodySmall, color = MaterialTheme.colorScheme.primary)
            val walk = place.walkingM ?: place.straightM
            Text(t.walk(t.metres(walk), place.walkingMinutes?.let { Math.round(it) }, place.withinCircle), style = MaterialTheme.typography.bodyMedium)
            if (place.address != place.name) Text(place.address, style = MaterialTheme.typography.bodySmall)
            if (place.openingHours.isNotBlank()) {
                Text(
                    (if (place.openNow) t.openNow else t.closedNow) + " · " + t.openingHours(place.openingHours),
                    style = MaterialTheme.typography.bodySmall,
                    color = if (place.openNow) MaterialTheme.colorScheme.primary else MaterialTheme.colorScheme.onSurfaceVariant,
                )
            }
            // Only today's and upcoming changes: past holidays are no use to someone going there.
            val exceptions = OpeningExceptions.upcoming(place.openingExceptions)
            if (exceptions.isNotBlank()) {
                Text(t.openingExceptions(exceptions), style = MaterialTheme.typography.bodySmall)
            }
            // The actions wrap to a second line rather than squeeze (English words are longer).
            FlowRow {
                place.phone?.let { phone -> TextButton({ onEvent(FindNearestEvent.Call(phone)) }) { Text(t.call(phone)) } }
                TextButton({ onEvent(FindNearestEvent.Navigate(place)) }) { Text(t.navigate) }
                TextButton({ onEvent(FindNearestEvent.Open(place)) }) { Text(t.placeDetails) }
            }
        }
    }
}
