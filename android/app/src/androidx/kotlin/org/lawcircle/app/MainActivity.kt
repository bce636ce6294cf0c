package org.lawcircle.app

import android.content.Intent
import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.BackHandler
import androidx.activity.compose.setContent
import androidx.compose.foundation.layout.Column
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.setValue
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import androidx.lifecycle.lifecycleScope
import kotlinx.coroutines.flow.distinctUntilChanged
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.launch
import org.lawcircle.app.duty.Duty
import org.lawcircle.app.location.LocationAccess
import org.lawcircle.app.location.LocationPermission
import org.lawcircle.app.location.PlatformLocation
import org.lawcircle.app.location.systemDeviceClock
import org.lawcircle.ffi.Account
import org.lawcircle.ffi.Point
import org.lawcircle.phone.ApplicationFormPresenter
import org.lawcircle.phone.ClockInPresenter
import org.lawcircle.phone.ConnectivityPresenter
import org.lawcircle.phone.FindNearestPresenter
import org.lawcircle.phone.MyNeedsPresenter
import org.lawcircle.phone.NewNeedPresenter
import org.lawcircle.phone.OrderOffersPresenter
import org.lawcircle.phone.OutboxPresenter
import org.lawcircle.phone.RatingLinkPresenter
import org.lawcircle.phone.RatingPresenter
import org.lawcircle.phone.RegisterPresenter
import org.lawcircle.phone.toGpsFix
import org.lawcircle.ui.ApplicationFormScreen
import org.lawcircle.ui.ClockInScreen
import org.lawcircle.ui.ConnectivityNotice
import org.lawcircle.ui.Destination
import org.lawcircle.ui.FindNearestScreen
import org.lawcircle.ui.HomeEvent
import org.lawcircle.ui.HomeScreen
import org.lawcircle.ui.HomeState
import org.lawcircle.ui.LawCircleTheme
import org.lawcircle.ui.Loading
import org.lawcircle.ui.MyNeedsEvent
import org.lawcircle.ui.MyNeedsScreen
import org.lawcircle.ui.NewNeedScreen
import org.lawcircle.ui.OrderOffersEvent
import org.lawcircle.ui.OrderOffersScreen
import org.lawcircle.ui.OutboxScreen
import org.lawcircle.ui.RatingLinkScreen
import org.lawcircle.ui.RatingScreen
import org.lawcircle.ui.RegisterScreen
import org.lawcircle.ui.onEvent

/** Where the app is: a home destination, the rating of one order or its rating code. */
private sealed interface Route {
    data object Home : Route
    data class To(val destination: Destination) : Route
    data class Rate(val orderId: String) : Route
    data class RatingCode(val orderId: String) : Route
}

/**
 * The Android glue only: builds the presenters on this activity's
 * lifecycle scope, collects their state and hands it to the screens of
 * lawcircle-ui (compiled and UI-tested on the JVM), whose events go back to
 * the presenters through lawcircle-ui's `onEvent` dispatchers. Navigation
 * and the hand-offs to the system (photo picker, dialer, map app) are here.
 */
class MainActivity : ComponentActivity() {
    private val client get() = (application as LawCircleApp).client
    private lateinit var connectivity: ConnectivityPresenter
    private lateinit var nearest: FindNearestPresenter
    private lateinit var clockIn: ClockInPresenter
    private lateinit var newNeed: NewNeedPresenter
    private lateinit var outbox: OutboxPresenter
    private lateinit var forms: ApplicationFormPresenter
    private lateinit var myNeeds: MyNeedsPresenter
    private lateinit var register: RegisterPresenter
    private var offers: OrderOffersPresenter? = null
    private var rate: RatingPresenter? = null
    private var ratingCode: RatingLinkPresenter? = null
    private lateinit var location: PlatformLocation
    /** The last answer to the location question (the clock-in screen explains a refusal). */
    private var locationAccess by mutableStateOf<LocationAccess?>(null)
    private var route by mutableStateOf<Route>(Route.Home)
    private var account by mutableStateOf<Account?>(null)

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val scope = lifecycleScope
        connectivity = ConnectivityPresenter(client)
        nearest = FindNearestPresenter(client, scope)
        clockIn = ClockInPresenter(client, scope, systemDeviceClock)
        newNeed = NewNeedPresenter(client, scope)
        outbox = OutboxPresenter(client, scope)
        forms = ApplicationFormPresenter(client, scope)
        myNeeds = MyNeedsPresenter(client, scope)
        register = RegisterPresenter(client, scope)
        location = PlatformLocation(this, onFix = { fix ->
            clockIn.onLocation(fix)
            fix.toGpsFix()?.let { nearest.setPosition(Point(it.lat, it.lng, it.datum)) }
        })
        // The duty service follows each punch the presenter records.
        lifecycleScope.launch {
            clockIn.state.map { it.outcome }.distinctUntilChanged().collect { outcome ->
                val post = clockIn.state.value.posts.firstOrNull { it.id == outcome?.postId }?.center
                if (outcome != null && post != null) Duty.onPunch(this@MainActivity, outcome, post.lat, post.lng)
            }
        }
        handleNotificationIntent(intent)
        nearest.load()
        setContent {
            LawCircleTheme {
                BackHandler(enabled = route != Route.Home) { route = Route.Home }
                val online by connectivity.state.collectAsStateWithLifecycle()
                Column {
                    if (route != Route.Home) ConnectivityNotice(online)
                    when (val r = route) {
                        Route.Home -> {
                            val counts by outbox.state.collectAsStateWithLifecycle()
                            HomeScreen(HomeState(account, online, counts.counts)) { e ->
                                when (e) {
                                    is HomeEvent.Open -> open(e.destination)
                                }
                            }
                        }
                        is Route.To -> DestinationScreen(r.destination)
                        is Route.Rate -> {
                            val p = ratePresenter(r.orderId)
                            val s by p.state.collectAsStateWithLifecycle()
                            RatingScreen(s, p::onEvent)
                        }
                        is Route.RatingCode -> {
                            val p = ratingCodePresenter(r.orderId)
                            val s by p.state.collectAsStateWithLifecycle()
                            RatingLinkScreen(s, p::onEvent)
                        }
                    }
                }
            }
        }
    }

    private fun open(destination: Destination) {
        when (destination) {
            Destination.MyNeeds -> myNeeds.refresh()
            Destination.Applications -> forms.load()
            Destination.ClockIn -> {
                clockIn.refresh()
                // Offers reach a volunteer on duty only through notifications (Android 13+).
                Duty.beforeClockIn(this)
                askLocation()
            }
            else -> Unit
        }
        route = Route.To(destination)
    }

    @Composable
    private fun DestinationScreen(destination: Destination) {
        when (destination) {
            Destination.SignIn -> {
                val s by register.state.collectAsStateWithLifecycle()
                LaunchedEffect(s.account) {
                    s.account?.let {
                        account = it
                        // Notifications with the app closed: UnifiedPush through the default distributor.
                        (application as LawCircleApp).startPush()
                    }
                }
                RegisterScreen(s, register::onEvent)
            }
            Destination.FindNearest -> {
                val s by nearest.state.collectAsStateWithLifecycle()
                // Call and Navigate hand off to the dialer and the installed map app (not yet wired).
                FindNearestScreen(s, nearest::onEvent)
            }
            Destination.NewNeed -> {
                val s by newNeed.state.collectAsStateWithLifecycle()
                // PickPhoto opens ActivityResultContracts.PickVisualMedia (not yet wired); the bytes come back as Attach.
                NewNeedScreen(s, newNeed::onEvent)
            }
            Destination.Applications -> {
                val s by forms.state.collectAsStateWithLifecycle()
                ApplicationFormScreen(s) { e -> forms.onEvent(e) { newNeed.state.value.fields } }
            }
            Destination.MyNeeds -> {
                val s by myNeeds.state.collectAsStateWithLifecycle()
                MyNeedsScreen(s) { e -> if (e is MyNeedsEvent.Rate) route = Route.Rate(e.orderId) else myNeeds.onEvent(e) }
            }
            Destination.ClockIn -> {
                val s by clockIn.state.collectAsStateWithLifecycle()
                ClockInScreen(s, clockIn::onEvent)
            }
            Destination.Offers -> {
                // Offers depend on where the volunteer stands: wait for a fix.
                val here = nearest.state.collectAsStateWithLifecycle().value.position
                if (here == null) {
                    Loading("正在获取您的位置…")
                } else {
                    val p = offersPresenter(here)
                    val s by p.state.collectAsStateWithLifecycle()
                    OrderOffersScreen(s) { e ->
                        if (e is OrderOffersEvent.ShowRatingCode) route = Route.RatingCode(e.orderId) else p.onEvent(e)
                    }
                }
            }
            Destination.Outbox -> {
                val s by outbox.state.collectAsStateWithLifecycle()
                OutboxScreen(s, outbox::onEvent)
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

    private fun ratingCodePresenter(orderId: String): RatingLinkPresenter =
        ratingCode?.takeIf { it.state.value.orderId == orderId } ?: RatingLinkPresenter(client, orderId, lifecycleScope).also {
            ratingCode?.close()
            ratingCode = it
            it.load()
        }

    /** Asks for location when it is not granted; starts the fixes when it is. */
    private fun askLocation() {
        locationAccess = LocationPermission.access(this)
        when {
            locationAccess != null -> location.start()
            // "Don't ask again": only the app's settings page can change it (the screen offers it).
            LocationPermission.afterAnswer(this) == LocationAccess.DENIED_FOR_GOOD -> locationAccess = LocationAccess.DENIED_FOR_GOOD
            else -> LocationPermission.request(this)
        }
    }

    @Deprecated("The framework callback; the Activity Result API needs AndroidX's registry")
    override fun onRequestPermissionsResult(requestCode: Int, permissions: Array<out String>, grantResults: IntArray) {
        super.onRequestPermissionsResult(requestCode, permissions, grantResults)
        if (requestCode == LocationPermission.REQUEST_CODE) {
            locationAccess = LocationPermission.afterAnswer(this)
            if (locationAccess == LocationAccess.PRECISE || locationAccess == LocationAccess.APPROXIMATE) location.start()
        }
    }

    override fun onNewIntent(intent: Intent) {
        super.onNewIntent(intent)
        handleNotificationIntent(intent)
    }

    /**
     * A notification's tap or action about an order: the offers screen,
     * which lists it among the offers or the dispatched orders (grab,
     * accept and decline are done there, with the user looking at it).
     */
    private fun handleNotificationIntent(intent: Intent?) {
        if (intent?.getStringExtra(AppIntents.EXTRA_ORDER_ID) == null) return
        when (intent.action) {
            AppIntents.ACTION_GRAB, AppIntents.ACTION_ACCEPT, AppIntents.ACTION_DECLINE, AppIntents.ACTION_OPEN ->
                route = Route.To(Destination.Offers)
        }
    }

    override fun onStart() {
        super.onStart()
        connectivity.start()
        outbox.start()
        if (LocationPermission.access(this) != null) location.start()
    }

    override fun onStop() {
        location.stop()
        connectivity.stop()
        super.onStop()
    }

    override fun onDestroy() {
        listOfNotNull(connectivity, nearest, clockIn, newNeed, outbox, forms, myNeeds, register, offers, rate, ratingCode).forEach { it.close() }
        super.onDestroy()
    }
}
