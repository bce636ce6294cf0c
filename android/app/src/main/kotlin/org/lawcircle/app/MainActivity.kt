package org.lawcircle.app

import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.BackHandler
import androidx.activity.compose.setContent
import androidx.compose.foundation.layout.Column
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.setValue
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import androidx.lifecycle.lifecycleScope
import org.lawcircle.app.location.FusedLocationAdapter
import org.lawcircle.app.location.systemDeviceClock
import org.lawcircle.app.ui.ApplicationFormScreen
import org.lawcircle.app.ui.ClockInScreen
import org.lawcircle.app.ui.ConnectivityBanner
import org.lawcircle.app.ui.FindNearestScreen
import org.lawcircle.app.ui.HomeScreen
import org.lawcircle.app.ui.NewNeedScreen
import org.lawcircle.app.ui.OrderOffersScreen
import org.lawcircle.app.ui.OutboxScreen
import org.lawcircle.app.ui.RateScreen
import org.lawcircle.app.ui.Route
import org.lawcircle.phone.ApplicationFormPresenter
import org.lawcircle.phone.ClockInPresenter
import org.lawcircle.phone.ConnectivityPresenter
import org.lawcircle.phone.FindNearestPresenter
import org.lawcircle.phone.NewNeedPresenter
import org.lawcircle.phone.OrderOffersPresenter
import org.lawcircle.phone.OutboxPresenter
import org.lawcircle.phone.RatingPresenter
import org.lawcircle.phone.toGpsFix
import org.lawcircle.ffi.Point

/**
 * Hosts the screens and moves between them; every decision is in the
 * presenters (lawcircle-phone), which run on this activity's lifecycle scope.
 */
class MainActivity : ComponentActivity() {
    private val client get() = (application as LawCircleApp).client
    private lateinit var connectivity: ConnectivityPresenter
    private lateinit var nearest: FindNearestPresenter
    private lateinit var clockIn: ClockInPresenter
    private lateinit var newNeed: NewNeedPresenter
    private lateinit var outbox: OutboxPresenter
    private lateinit var forms: ApplicationFormPresenter
    private var offers: OrderOffersPresenter? = null
    private var rate: RatingPresenter? = null
    private lateinit var location: FusedLocationAdapter
    private var route by mutableStateOf<Route>(Route.Home)

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val scope = lifecycleScope
        connectivity = ConnectivityPresenter(client)
        nearest = FindNearestPresenter(client, scope)
        clockIn = ClockInPresenter(client, scope, systemDeviceClock)
        newNeed = NewNeedPresenter(client, scope)
        outbox = OutboxPresenter(client, scope)
        forms = ApplicationFormPresenter(client, scope)
        location = FusedLocationAdapter(this) { fix ->
            clockIn.onLocation(fix)
            fix.toGpsFix()?.let { nearest.setPosition(Point(it.lat, it.lng, it.datum)) }
        }
        nearest.load()
        setContent {
            MaterialTheme {
                BackHandler(enabled = route != Route.Home) { route = Route.Home }
                Column {
                    ConnectivityBanner(connectivity)
                    when (val r = route) {
                        Route.Home -> HomeScreen { route = it }
                        Route.FindNearest -> FindNearestScreen(nearest)
                        Route.ClockIn -> ClockInScreen(clockIn)
                        Route.NewNeed -> NewNeedScreen(newNeed)
                        Route.Outbox -> OutboxScreen(outbox)
                        Route.Forms -> ApplicationFormScreen(forms) { newNeed.state.value.fields }
                        Route.Offers -> {
                            // Offers depend on where the volunteer stands: wait for a fix.
                            val here = nearest.state.collectAsStateWithLifecycle().value.position
                            if (here == null) {
                                Text("等待定位 Waiting for a location fix")
                            } else {
                                OrderOffersScreen(offersPresenter(here)) { orderId -> route = Route.Rate(orderId) }
                            }
                        }
                        is Route.Rate -> RateScreen(ratePresenter(r.orderId))
                    }
                }
            }
        }
    }

    private fun offersPresenter(here: Point): OrderOffersPresenter = offers ?: OrderOffersPresenter(client, here, lifecycleScope).also {
        it.start()
        offers = it
    }

    private fun ratePresenter(orderId: String): RatingPresenter =
        rate?.takeIf { it.state.value.orderId == orderId } ?: RatingPresenter(client, orderId, lifecycleScope).also {
            rate?.close()
            rate = it
        }

    override fun onStart() {
        super.onStart()
        connectivity.start()
        outbox.start()
        location.start()
    }

    override fun onStop() {
        location.stop()
        connectivity.stop()
        super.onStop()
    }

    override fun onDestroy() {
        listOfNotNull(connectivity, nearest, clockIn, newNeed, outbox, forms, offers, rate).forEach { it.close() }
        super.onDestroy()
    }
}
