package org.lawcircle.app

import android.content.Intent
import android.os.Bundle
import android.widget.Toast
import androidx.activity.ComponentActivity
import androidx.activity.compose.BackHandler
import androidx.activity.compose.setContent
import androidx.activity.viewModels
import androidx.compose.foundation.layout.Column
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.setValue
import androidx.lifecycle.Lifecycle
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import androidx.lifecycle.lifecycleScope
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.flow.distinctUntilChanged
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import org.lawcircle.app.duty.Duty
import org.lawcircle.app.files.AttachmentProvider
import org.lawcircle.app.photos.PhotoIntake
import org.lawcircle.app.photos.attachTo
import org.lawcircle.app.places.PlaceHandoffs
import org.lawcircle.app.scan.StationCodeScanner
import org.lawcircle.app.location.LocationAccess
import org.lawcircle.app.location.LocationPermission
import org.lawcircle.app.location.PlatformLocation
import org.lawcircle.app.location.systemDeviceClock
import org.lawcircle.app.settings.LanguageSetting
import org.lawcircle.app.viewmodels.FormsViewModel
import org.lawcircle.ffi.LawCircleClient
import org.lawcircle.ffi.NearbyPlace
import org.lawcircle.ffi.Point
import org.lawcircle.phone.AppScreen
import org.lawcircle.phone.SessionState
import org.lawcircle.phone.ApplicationFormPresenter
import org.lawcircle.phone.ClockInPresenter
import org.lawcircle.phone.ConnectivityPresenter
import org.lawcircle.phone.FindNearestPresenter
import org.lawcircle.phone.MyNeedsPresenter
import org.lawcircle.phone.NewNeedPresenter
import org.lawcircle.phone.DraftsPresenter
import org.lawcircle.phone.DutyHoursPresenter
import org.lawcircle.phone.Home
import org.lawcircle.phone.OrderDetailPresenter
import org.lawcircle.phone.OrderOffersPresenter
import org.lawcircle.phone.PlaceDetailPresenter
import org.lawcircle.phone.OutboxPresenter
import org.lawcircle.phone.RatingLinkPresenter
import org.lawcircle.phone.RatingPresenter
import org.lawcircle.phone.RegisterPresenter
import org.lawcircle.phone.toGpsFix
import org.lawcircle.ui.ApplicationFormScreen
import org.lawcircle.ui.ClockInScreen
import org.lawcircle.ui.CompensationScreen
import org.lawcircle.ui.ConnectivityNotice
import org.lawcircle.ui.Destination
import org.lawcircle.ui.DraftsEvent
import org.lawcircle.ui.DraftsScreen
import org.lawcircle.ui.FindNearestEvent
import org.lawcircle.ui.FindNearestScreen
import org.lawcircle.ui.HomeEvent
import org.lawcircle.ui.HomeScreen
import org.lawcircle.ui.HomeState
import org.lawcircle.ui.Language
import org.lawcircle.ui.LawCircleTheme
import org.lawcircle.ui.Loading
import org.lawcircle.ui.MyNeedsEvent
import org.lawcircle.ui.MyNeedsScreen
import org.lawcircle.ui.NewNeedEvent
import org.lawcircle.ui.NewNeedScreen
import org.lawcircle.ui.OrderDetailEvent
import org.lawcircle.ui.OrderDetailScreen
import org.lawcircle.ui.OrderOffersEvent
import org.lawcircle.ui.OrderOffersScreen
import org.lawcircle.ui.OutboxScreen
import org.lawcircle.ui.PlaceDetailEvent
import org.lawcircle.ui.PlaceDetailScreen
import org.lawcircle.ui.RatingLinkScreen
import org.lawcircle.ui.PushDistributorEvent
import org.lawcircle.ui.PushDistributorScreen
import org.lawcircle.ui.RatingScreen
import org.lawcircle.ui.RegisterScreen
import org.lawcircle.ui.SignInScreen
import org.lawcircle.ui.onEvent
import org.lawcircle.ui.strings

/** Where the app is: a home destination, the rating of one order or its rating code. */
private sealed interface Route {
    data object Home : Route
    data class To(val destination: Destination) : Route
    data class Rate(val orderId: String) : Route
    data class RatingCode(val orderId: String) : Route
    data class OrderDetail(val orderId: String) : Route
    data class Place(val place: NearbyPlace) : Route

    /** The push app chooser (several UnifiedPush distributors, none picked yet; or "use another"). */
    data object PushChooser : Route
}

/** The presenters of one signed-in client, made at sign-in and closed at sign-out. */
private class Presenters(val client: LawCircleClient, scope: CoroutineScope, private val viewModel: FormsViewModel) : AutoCloseable {
    val connectivity = ConnectivityPresenter(client)
    val nearest = FindNearestPresenter(client, scope)
    val clockIn = ClockInPresenter(client, scope, systemDeviceClock)
    /** Held by the ViewModel: survives rotations and, through its SavedStateHandle, the process. */
    val newNeed: NewNeedPresenter get() = viewModel.newNeed(client)
    val drafts = DraftsPresenter(client, scope)
    val outbox = OutboxPresenter(client, scope)
    val forms = ApplicationFormPresenter(client, scope)
    val myNeeds = MyNeedsPresenter(client, scope)
    val dutyHours = DutyHoursPresenter(client, scope)
    var offers: OrderOffersPresenter? = null
    var ratingCode: RatingLinkPresenter? = null
    var orderDetail: OrderDetailPresenter? = null
    var place: PlaceDetailPresenter? = null

    override fun close() {
        listOfNotNull(connectivity, nearest, clockIn, outbox, forms, myNeeds, dutyHours, drafts, offers, ratingCode, orderDetail, place).forEach { it.close() }
    }
}

/**
 * The Android glue only: the app's [AppSession] decides the top-level
 * screen (sign-in, or the role's home); this activity builds the signed-in
 * client's presenters on its lifecycle scope, collects their state and
 * hands it to the screens of lawcircle-ui (compiled and UI-tested on the
 * JVM), whose events go back to the presenters through lawcircle-ui's
 * `onEvent` dispatchers. Navigation and the hand-offs to the system (photo
 * picker, dialer, map app) are here.
 */
class MainActivity : ComponentActivity() {
    private val app get() = application as LawCircleApp
    private val session get() = app.session
    private var presenters by mutableStateOf<Presenters?>(null)
    private val formsViewModel: FormsViewModel by viewModels()
    private lateinit var location: PlatformLocation
    /** The last answer to the location question (the clock-in screen explains a refusal). */
    private var locationAccess by mutableStateOf<LocationAccess?>(null)
    private var route by mutableStateOf<Route>(Route.Home)
    /** The screens' language: the home's toggle, kept by [LanguageSetting]. */
    private var language by mutableStateOf(Language.ZH)
    /** The registration screen (注册) while it is open over the sign-in screen; closed when it goes. */
    private var registration by mutableStateOf<RegisterPresenter?>(null)
    /** The need form's photos: the picker's and the camera's results become downscaled files (compiled glue). */
    private val photoIntake by lazy { PhotoIntake(this) }

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        language = Language.fromTag(LanguageSetting(this).load())
        location = PlatformLocation(this, onFix = { fix ->
            presenters?.clockIn?.onLocation(fix)
            fix.toGpsFix()?.let { presenters?.nearest?.setPosition(Point(it.lat, it.lng, it.datum)) }
        })
        // The session decides: a new signed-in client gets its presenters; sign-out closes them.
        lifecycleScope.launch {
            session.state.map { (it.screen as? AppScreen.Signed)?.client }.distinctUntilChanged().collect { client ->
                presenters?.close()
                presenters = client?.let { signedInPresenters(it) }
                // A place's detail open before a rotation (or the process being killed) comes back.
                presenters?.place?.let { route = Route.Place(it.state.value.place) }
                // Signed in (typed, registered or restored): the registration screen has done its part.
                registration?.close()
                registration = null
                route = when {
                    client == null -> Route.Home
                    // The sign-in hook tried push: several push apps and none picked, the user answers first.
                    app.pushChooser.state.value.needsChoice -> Route.PushChooser
                    else -> route
                }
            }
        }
        handleNotificationIntent(intent)
        setContent {
            LawCircleTheme(language) {
                val s by session.state.collectAsStateWithLifecycle()
                val p = presenters
                when (val screen = s.screen) {
                    AppScreen.Starting -> Loading(strings.opening)
                    AppScreen.SignIn -> {
                        val reg = registration
                        if (reg != null) {
                            BackHandler { closeRegistration() }
                            val r by reg.state.collectAsStateWithLifecycle()
                            RegisterScreen(r, reg::onEvent)
                        } else {
                            val signIn by session.signIn.state.collectAsStateWithLifecycle()
                            SignInScreen(signIn) { e ->
                                session.signIn.onEvent(e, scan = ::scanStationCode, smsCode = {
                                    // Registering signs in on the server the sign-in screen shows.
                                    registration = session.signIn.registration()
                                })
                            }
                        }
                    }
                    is AppScreen.Signed -> if (p != null && p.client === screen.client) SignedIn(p, screen, s) else Loading(strings.opening)
                }
            }
        }
    }

    private fun signedInPresenters(client: LawCircleClient): Presenters {
        val p = Presenters(client, lifecycleScope, formsViewModel)
        p.place = formsViewModel.restoredPlace(lifecycleScope)?.also { it.load() }
        // The duty service follows each punch the presenter records.
        lifecycleScope.launch {
            p.clockIn.state.map { it.outcome }.distinctUntilChanged().collect { outcome ->
                val post = p.clockIn.state.value.posts.firstOrNull { it.id == outcome?.postId }?.center
                if (outcome != null && post != null) Duty.onPunch(this@MainActivity, outcome, post.lat, post.lng)
            }
        }
        p.nearest.load()
        if (lifecycle.currentState.isAtLeast(Lifecycle.State.STARTED)) {
            p.connectivity.start()
            p.outbox.start()
        }
        return p
    }

    @Composable
    private fun SignedIn(p: Presenters, signed: AppScreen.Signed, session: SessionState) {
        BackHandler(enabled = route != Route.Home) {
            // Back from a place's detail is the list it was picked from (the detail is not restored any more).
            if (route is Route.Place) {
                p.place?.dismiss()
                p.place = null
            }
            route = if (route is Route.Place) Route.To(Destination.FindNearest) else Route.Home
        }
        val online by p.connectivity.state.collectAsStateWithLifecycle()
        Column {
            if (route != Route.Home) ConnectivityNotice(online)
            when (val r = route) {
                Route.Home -> {
                    val counts by p.outbox.state.collectAsStateWithLifecycle()
                    val hours by p.dutyHours.state.collectAsStateWithLifecycle()
                    LaunchedEffect(signed.home) { if (signed.home == Home.VOLUNTEER) p.dutyHours.load() }
                    val push by app.pushChooser.state.collectAsStateWithLifecycle()
                    HomeScreen(
                        HomeState(signed.account, online, counts.counts, session.unsentAtSignOut, session.error, language, hours.hours, push.needsChoice),
                    ) { e ->
                        when (e) {
                            HomeEvent.ChoosePush -> {
                                app.pushChooser.refresh()
                                route = Route.PushChooser
                            }
                            is HomeEvent.Open -> open(p, e.destination)
                            HomeEvent.SignOut -> this@MainActivity.session.signOut()
                            HomeEvent.DiscardAndSignOut -> this@MainActivity.session.signOut(discardPending = true)
                            HomeEvent.KeepSignedIn -> this@MainActivity.session.keepSignedIn()
                            is HomeEvent.SetLanguage -> {
                                language = e.language
                                LanguageSetting(this@MainActivity).save(e.language.tag)
                            }
                        }
                    }
                }
                is Route.To -> DestinationScreen(p, r.destination)
                is Route.Rate -> {
                    val rp = ratePresenter(p, r.orderId)
                    val s by rp.state.collectAsStateWithLifecycle()
                    RatingScreen(s, rp::onEvent)
                }
                is Route.OrderDetail -> {
                    val dp = orderDetailPresenter(p, r.orderId)
                    val s by dp.state.collectAsStateWithLifecycle()
                    OrderDetailScreen(s) { e ->
                        when (e) {
                            is OrderDetailEvent.OpenFile -> handOff(AttachmentProvider.viewIntent(this@MainActivity, java.io.File(e.path), e.contentType))
                            is OrderDetailEvent.Call -> handOff(PlaceHandoffs.dialIntent(this@MainActivity, e.phone))
                            is OrderDetailEvent.Navigate -> handOff(PlaceHandoffs.navigateIntent(this@MainActivity, e.place, s.detail?.address ?: "", language.strings.navigate), language.strings.noMapApp)
                            else -> dp.onEvent(e)
                        }
                    }
                }
                is Route.Place -> {
                    val pp = placePresenter(p, r.place)
                    val s by pp.state.collectAsStateWithLifecycle()
                    PlaceDetailScreen(s) { e -> placeHandOff(e) }
                }
                Route.PushChooser -> {
                    val s by app.pushChooser.state.collectAsStateWithLifecycle()
                    PushDistributorScreen(s) { e ->
                        when (e) {
                            // Kept, then registered with: offers reach the closed app from now on.
                            is PushDistributorEvent.Choose -> app.choosePush(e.packageName)
                            PushDistributorEvent.Change -> app.pushChooser.changeChoice()
                            // Looked again (one may have been installed): push starts if the rule now names one.
                            PushDistributorEvent.Refresh -> app.startPush()
                        }
                    }
                }
                is Route.RatingCode -> {
                    val rp = ratingCodePresenter(p, r.orderId)
                    val s by rp.state.collectAsStateWithLifecycle()
                    RatingLinkScreen(s, rp::onEvent)
                }
            }
        }
    }

    /**
     * The station's QR code: an installed scanner app answers with the
     * text; without one, a photo of the code (camera app) or a picture of
     * it (photo picker), decoded with ZXing. The result comes back in
     * [onActivityResult].
     */
    private fun scanStationCode() {
        val scanner = StationCodeScanner.scannerAppIntent(packageManager)
        if (scanner != null) {
            startActivityForResult(scanner, StationCodeScanner.REQUEST_SCANNER_APP)
        } else {
            startActivityForResult(StationCodeScanner.pictureIntent(packageManager, language.strings.scanStationCode), StationCodeScanner.REQUEST_PICTURE)
        }
    }

    @Deprecated("The framework callback; the Activity Result API needs AndroidX's registry")
    override fun onActivityResult(requestCode: Int, resultCode: Int, data: Intent?) {
        super.onActivityResult(requestCode, resultCode, data)
        if (requestCode == PhotoIntake.REQUEST_PHOTO) {
            lifecycleScope.launch {
                // Copying and downscaling take a moment: off the main thread. All the logic is PhotoIntake's.
                val outcome = withContext(Dispatchers.IO) { photoIntake.onResult(requestCode, resultCode, data) }
                val form = presenters?.newNeed ?: return@launch
                outcome.attachTo(form)?.let { Toast.makeText(this@MainActivity, it, Toast.LENGTH_LONG).show() }
            }
            return
        }
        if (requestCode != StationCodeScanner.REQUEST_SCANNER_APP && requestCode != StationCodeScanner.REQUEST_PICTURE) return
        lifecycleScope.launch {
            // Decoding a picture takes a moment: off the main thread.
            val scan = withContext(Dispatchers.Default) {
                if (requestCode == StationCodeScanner.REQUEST_SCANNER_APP) {
                    StationCodeScanner.fromScannerApp(data)
                } else {
                    StationCodeScanner.fromResult(contentResolver, data)
                }
            }
            when (scan) {
                // The presenter parses it (StationCode): a code that is not a station's is refused in words there.
                is StationCodeScanner.Scan.Text -> session.signIn.scanned(scan.text)
                // Backed out of the camera or the picker: nothing to say.
                is StationCodeScanner.Scan.Failed -> if (resultCode != RESULT_CANCELED) session.signIn.scanFailed(scan.message)
            }
        }
    }

    /** Back from the registration screen to the sign-in screen (the client it opened stays the sign-in's). */
    private fun closeRegistration() {
        registration?.close()
        registration = null
    }

    private fun open(p: Presenters, destination: Destination) {
        when (destination) {
            Destination.MyNeeds -> p.myNeeds.refresh()
            Destination.Applications -> p.forms.load()
            Destination.ClockIn -> {
                p.clockIn.refresh()
                // Offers reach a volunteer on duty only through notifications (Android 13+).
                Duty.beforeClockIn(this)
                askLocation()
            }
            else -> Unit
        }
        route = Route.To(destination)
    }

    @Composable
    private fun DestinationScreen(p: Presenters, destination: Destination) {
        when (destination) {
            // Signed in already: the home is where sign-in leads.
            Destination.SignIn -> route = Route.Home
            Destination.FindNearest -> {
                val s by p.nearest.state.collectAsStateWithLifecycle()
                FindNearestScreen(s) { e ->
                    when (e) {
                        is FindNearestEvent.Open -> route = Route.Place(e.place)
                        is FindNearestEvent.Call -> placeHandOff(PlaceDetailEvent.Call(e.phone))
                        is FindNearestEvent.Navigate -> placeHandOff(PlaceDetailEvent.Navigate(e.place))
                        else -> p.nearest.onEvent(e)
                    }
                }
            }
            Destination.NewNeed -> {
                val s by p.newNeed.state.collectAsStateWithLifecycle()
                NewNeedScreen(s) { e ->
                    // PickPhoto: the picker or the camera (PhotoIntake); the result comes back in onActivityResult.
                    if (e == NewNeedEvent.PickPhoto) {
                        @Suppress("DEPRECATION") // the framework call; the Activity Result API needs AndroidX's registry
                        startActivityForResult(photoIntake.photoIntent(language.strings.addPhoto), PhotoIntake.REQUEST_PHOTO)
                    } else if (e == NewNeedEvent.VillageFromGps) {
                        // The village at the phone's fix (the nearest screen's position); without a fix, the list.
                        p.nearest.state.value.position?.let { p.newNeed.villageFromFix(it) } ?: p.newNeed.searchVillages("")
                    } else {
                        p.newNeed.onEvent(e)
                    }
                }
            }
            Destination.Applications -> {
                val s by p.forms.state.collectAsStateWithLifecycle()
                ApplicationFormScreen(s) { e -> p.forms.onEvent(e) { p.newNeed.state.value.fields } }
            }
            Destination.MyNeeds -> {
                val s by p.myNeeds.state.collectAsStateWithLifecycle()
                MyNeedsScreen(s) { e -> if (e is MyNeedsEvent.Rate) route = Route.Rate(e.orderId) else p.myNeeds.onEvent(e) }
            }
            Destination.ClockIn -> {
                val s by p.clockIn.state.collectAsStateWithLifecycle()
                ClockInScreen(s, p.clockIn::onEvent)
            }
            Destination.Offers -> {
                // Offers depend on where the volunteer stands: wait for a fix.
                val here = p.nearest.state.collectAsStateWithLifecycle().value.position
                if (here == null) {
                    Loading(strings.locating)
                } else {
                    val op = offersPresenter(p, here)
                    val s by op.state.collectAsStateWithLifecycle()
                    OrderOffersScreen(s) { e ->
                        when (e) {
                            is OrderOffersEvent.ShowRatingCode -> route = Route.RatingCode(e.orderId)
                            is OrderOffersEvent.ShowDetail -> route = Route.OrderDetail(e.orderId)
                            else -> op.onEvent(e)
                        }
                    }
                }
            }
            Destination.Outbox -> {
                val s by p.outbox.state.collectAsStateWithLifecycle()
                OutboxScreen(s, p.outbox::onEvent)
            }
            Destination.Calculators -> {
                val calc = formsViewModel.compensation
                val s by calc.state.collectAsStateWithLifecycle()
                CompensationScreen(s, calc::onEvent)
            }
            Destination.Drafts -> {
                val s by p.drafts.state.collectAsStateWithLifecycle()
                LaunchedEffect(Unit) { p.drafts.refresh() }
                DraftsScreen(s) { e ->
                    if (e is DraftsEvent.Resume) {
                        // Read fresh (it may have been submitted meanwhile), then the need form starts from it.
                        lifecycleScope.launch {
                            p.drafts.draftToResume(e.id)?.let { d ->
                                formsViewModel.resumeDraft(p.client, d)
                                route = Route.To(Destination.NewNeed)
                            }
                        }
                    } else {
                        p.drafts.onEvent(e)
                    }
                }
            }
        }
    }

    /** A place's "call" (the dialer, number filled in) and "navigate" (the installed map app, or a chooser of several). */
    private fun placeHandOff(e: PlaceDetailEvent) = when (e) {
        is PlaceDetailEvent.Call -> handOff(PlaceHandoffs.dialIntent(this, e.phone))
        is PlaceDetailEvent.Navigate -> handOff(PlaceHandoffs.navigateIntent(this, e.place.point, e.place.name, language.strings.navigate), language.strings.noMapApp)
    }

    /** Starts another app's activity; without one, says so briefly. */
    private fun handOff(intent: Intent?, missing: String? = null) {
        if (intent != null) startActivity(intent) else missing?.let { Toast.makeText(this, it, Toast.LENGTH_SHORT).show() }
    }

    private fun placePresenter(p: Presenters, place: NearbyPlace): PlaceDetailPresenter =
        p.place?.takeIf { it.state.value.place.facilityId == place.facilityId }
            ?: formsViewModel.place(place, lifecycleScope).also {
                p.place?.close()
                p.place = it
                it.load()
            }

    private fun offersPresenter(p: Presenters, here: Point): OrderOffersPresenter =
        p.offers ?: OrderOffersPresenter(p.client, here, lifecycleScope).also {
            it.start()
            p.offers = it
        }

    private fun orderDetailPresenter(p: Presenters, orderId: String): OrderDetailPresenter =
        p.orderDetail?.takeIf { it.state.value.orderId == orderId }
            ?: OrderDetailPresenter(p.client, orderId, AttachmentProvider.folder(this), lifecycleScope).also {
                p.orderDetail?.close()
                p.orderDetail = it
                it.load()
            }

    private fun ratePresenter(p: Presenters, orderId: String): RatingPresenter = formsViewModel.rating(p.client, orderId)

    private fun ratingCodePresenter(p: Presenters, orderId: String): RatingLinkPresenter =
        p.ratingCode?.takeIf { it.state.value.orderId == orderId } ?: RatingLinkPresenter(p.client, orderId, lifecycleScope).also {
            p.ratingCode?.close()
            p.ratingCode = it
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
        presenters?.let {
            it.connectivity.start()
            it.outbox.start()
        }
        if (LocationPermission.access(this) != null) location.start()
    }

    override fun onStop() {
        location.stop()
        presenters?.connectivity?.stop()
        super.onStop()
    }

    override fun onDestroy() {
        closeRegistration()
        presenters?.close()
        presenters = null
        super.onDestroy()
    }
}
