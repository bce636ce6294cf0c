package org.lawcircle.app.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import org.lawcircle.core.ConnectivityPresenter
import org.lawcircle.core.ConnectivityState
import org.lawcircle.core.DistancePresenter
import org.lawcircle.core.DistanceState

// Screens only render presenter state; no logic lives here (it could not be
// tested on the JVM).

@Composable
fun ConnectivityBanner(presenter: ConnectivityPresenter) {
    val state by presenter.state.collectAsStateWithLifecycle()
    if (state is ConnectivityState.Offline) {
        Text(
            "离线 Offline: ${(state as ConnectivityState.Offline).reason}",
            style = MaterialTheme.typography.bodySmall,
            modifier = Modifier.padding(8.dp),
        )
    }
}

@Composable
fun DistanceScreen(presenter: DistancePresenter) {
    val state by presenter.state.collectAsStateWithLifecycle()
    Column(Modifier.padding(16.dp)) {
        when (val s = state) {
            DistanceState.Incomplete -> Text("Pick a place on the map")
            is DistanceState.Measured -> {
                Text("${s.meters.toInt()} m · ${s.minutes} min on foot")
                Text(if (s.withinCircle) "Within the 15-minute circle" else "Beyond the 15-minute walk")
            }
            is DistanceState.Invalid -> Text(s.error.message, color = MaterialTheme.colorScheme.error)
        }
    }
}
