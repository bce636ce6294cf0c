package org.lawcircle.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.selection.selectable
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.RadioButton
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.unit.dp
import org.lawcircle.phone.PushDistributorPresenter
import org.lawcircle.phone.PushDistributorState
import org.lawcircle.phone.PushRoute

sealed interface PushDistributorEvent {
    /** The user picked this distributor (kept; the app then registers with it). */
    data class Choose(val packageName: String) : PushDistributorEvent

    /** Pick another one. */
    data object Change : PushDistributorEvent

    /** Look again at what is installed. */
    data object Refresh : PushDistributorEvent
}

/** The presenter's part; registering with the chosen distributor is the app's (it follows [PushDistributorState.route]). */
fun PushDistributorPresenter.onEvent(e: PushDistributorEvent) {
    when (e) {
        is PushDistributorEvent.Choose -> choose(e.packageName)
        PushDistributorEvent.Change -> changeChoice()
        PushDistributorEvent.Refresh -> refresh()
    }
}

/** 通知推送: which UnifiedPush app brings offers while this app is closed. */
@Composable
fun PushDistributorScreen(state: PushDistributorState, onEvent: (PushDistributorEvent) -> Unit) {
    val t = strings
    ScreenFrame(t.pushTitle, t.pushSubtitle) {
        Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
            when (val route = state.route) {
                is PushRoute.Use -> {
                    Notice(t.pushUsing(route.distributor.label), t.pushUsingDetail, Tone.Success)
                    TextButton({ onEvent(PushDistributorEvent.Change) }, Modifier.fillMaxWidth()) { Text(t.pushChange) }
                }
                is PushRoute.Choose -> {
                    Text(t.pushChooseTitle, style = MaterialTheme.typography.titleSmall)
                    Text(t.pushChooseHint, style = MaterialTheme.typography.bodySmall)
                    route.installed.forEach { d ->
                        Row(
                            Modifier.fillMaxWidth()
                                .selectable(d.packageName == state.chosen, role = Role.RadioButton) {
                                    onEvent(PushDistributorEvent.Choose(d.packageName))
                                }
                                .padding(vertical = 4.dp),
                            verticalAlignment = Alignment.CenterVertically,
                        ) {
                            RadioButton(d.packageName == state.chosen, onClick = null)
                            Column(Modifier.padding(start = 8.dp)) {
                                Text(d.label, style = MaterialTheme.typography.bodyLarge)
                                Text(d.packageName, style = MaterialTheme.typography.bodySmall)
                            }
                        }
                    }
                }
                PushRoute.LiveStreamOnly -> {
                    Notice(t.pushNone, t.pushNoneDetail, Tone.Warning)
                    TextButton({ onEvent(PushDistributorEvent.Refresh) }, Modifier.fillMaxWidth()) { Text(t.pushLookAgain) }
                }
            }
        }
    }
}
