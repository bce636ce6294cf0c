package org.lawcircle.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.unit.dp
import org.lawcircle.ffi.NearbyPlace
import org.lawcircle.ffi.OpeningDay
import org.lawcircle.phone.PlaceDetailState

sealed interface PlaceDetailEvent {
    /** The dialer with the place's number filled in (the app's hand-off; no call is placed). */
    data class Call(val phone: String) : PlaceDetailEvent

    /** Walking directions in the installed map app (the app's hand-off). */
    data class Navigate(val place: NearbyPlace) : PlaceDetailEvent
}

/** 服务点详情: one place of the nearest list, its hours day by day, call and navigate. */
@Composable
fun PlaceDetailScreen(state: PlaceDetailState, onEvent: (PlaceDetailEvent) -> Unit) {
    val t = strings
    val p = state.place
    ScreenFrame(p.name, t.facilityKind(p.kind)) {
        Column(Modifier.verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(6.dp)) {
            val walk = p.walkingM ?: p.straightM
            Text(t.walk(t.metres(walk), p.walkingMinutes?.let { Math.round(it) }, p.withinCircle), style = MaterialTheme.typography.bodyLarge)
            if (p.walkingEstimated) {
                Text(t.walkEstimated, style = MaterialTheme.typography.bodySmall, color = MaterialTheme.colorScheme.onSurfaceVariant)
            }
            Text(t.labelled(t.address, p.address), style = MaterialTheme.typography.bodyMedium)
            p.phone?.let { Text(t.labelled(t.placePhone, it), style = MaterialTheme.typography.bodyMedium) }
            Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                p.phone?.let { phone -> Button({ onEvent(PlaceDetailEvent.Call(phone)) }) { Text(t.callShort) } }
                OutlinedButton({ onEvent(PlaceDetailEvent.Navigate(p)) }) { Text(t.navigate) }
            }
            if (p.products.isNotEmpty()) {
                Text(t.placeProducts, style = MaterialTheme.typography.titleSmall)
                Text(p.products.joinToString(t.itemSeparator) { t.product(it) }, style = MaterialTheme.typography.bodyMedium)
            }
            Text(t.placeHours, style = MaterialTheme.typography.titleSmall)
            Text(
                if (p.openNow) t.openNow else t.closedNow,
                fontWeight = FontWeight.Bold,
                color = if (p.openNow) MaterialTheme.colorScheme.primary else MaterialTheme.colorScheme.onSurfaceVariant,
            )
            val schedule = state.schedule
            when {
                state.error != null -> {
                    Notice(t.hoursUnreadable, t.openingHours(p.openingHours), Tone.Warning)
                }
                schedule == null -> Loading(t.readingHours)
                else -> {
                    schedule.days.firstOrNull()?.let { Text(t.todayHours(t.spans(it.spans)), style = MaterialTheme.typography.bodyLarge) }
                    Card(Modifier.fillMaxWidth()) {
                        Column(Modifier.padding(12.dp)) {
                            schedule.days.forEachIndexed { i, d -> DayRow(d, today = i == 0) }
                        }
                    }
                    Text(t.upcomingExceptions, style = MaterialTheme.typography.titleSmall)
                    if (schedule.upcomingExceptions.isEmpty()) {
                        Text(t.noUpcomingExceptions, style = MaterialTheme.typography.bodySmall)
                    } else {
                        schedule.upcomingExceptions.forEach {
                            Text(t.exceptionLine(it.date, t.weekday(it.weekday.toInt()), t.spans(it.spans)), style = MaterialTheme.typography.bodySmall)
                        }
                    }
                }
            }
        }
    }
}

@Composable
private fun DayRow(d: OpeningDay, today: Boolean) {
    val t = strings
    Row(Modifier.fillMaxWidth().padding(vertical = 2.dp)) {
        val weight = if (today) FontWeight.Bold else FontWeight.Normal
        Text(t.weekday(d.weekday.toInt()) + " " + d.date.substring(5), Modifier.padding(end = 12.dp), fontWeight = weight)
        Text(
            t.spans(d.spans) + if (d.exception) t.adjustedMark else "",
            Modifier.weight(1f),
            fontWeight = weight,
            color = if (d.spans.isEmpty()) MaterialTheme.colorScheme.onSurfaceVariant else MaterialTheme.colorScheme.onSurface,
        )
    }
}
