package org.lawcircle.app

import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.compose.foundation.layout.Column
import androidx.compose.material3.MaterialTheme
import org.lawcircle.app.location.FusedLocationAdapter
import org.lawcircle.app.ui.ConnectivityBanner
import org.lawcircle.app.ui.DistanceScreen
import org.lawcircle.core.ConnectivityPresenter
import org.lawcircle.core.DistancePresenter

/** Hosts the screens; every decision is in the presenters (lawcircle-core). */
class MainActivity : ComponentActivity() {
    private lateinit var connectivity: ConnectivityPresenter
    private val distance = DistancePresenter()
    private lateinit var location: FusedLocationAdapter

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        connectivity = ConnectivityPresenter((application as LawCircleApp).client)
        location = FusedLocationAdapter(this) { fix -> distance.setFrom(fix.lat, fix.lng, fix.datum) }
        setContent {
            MaterialTheme {
                Column {
                    ConnectivityBanner(connectivity)
                    DistanceScreen(distance)
                }
            }
        }
    }

    override fun onStart() {
        super.onStart()
        connectivity.start()
        location.start()
    }

    override fun onStop() {
        location.stop()
        connectivity.stop()
        super.onStop()
    }

    override fun onDestroy() {
        connectivity.close()
        distance.close()
        super.onDestroy()
    }
}
