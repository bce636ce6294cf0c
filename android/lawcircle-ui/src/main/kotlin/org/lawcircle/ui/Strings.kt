package org.lawcircle.ui

import androidx.compose.runtime.Composable
import androidx.compose.runtime.ReadOnlyComposable
import androidx.compose.runtime.staticCompositionLocalOf
import org.lawcircle.ffi.FenceVerdict
import org.lawcircle.ffi.FacilityKind
import org.lawcircle.ffi.NeedCategory
import org.lawcircle.ffi.ServiceProduct
import org.lawcircle.ffi.NeedStepKind
import org.lawcircle.ffi.OrderState
import org.lawcircle.ffi.OutboxKind
import org.lawcircle.ffi.OutboxState
import org.lawcircle.ffi.PunchKind
import org.lawcircle.ffi.Role
import org.lawcircle.ffi.Urgency
import org.lawcircle.ffi.Verdict
import org.lawcircle.phone.Home
import org.lawcircle.ffi.Calculator
import org.lawcircle.ffi.Termination
import org.lawcircle.phone.CalcOutcome

/** The languages the screens speak; Chinese is the default. */
enum class Language(
    /** The code the app persists the setting under (BCP 47). */
    val tag: String,
    /** The language's own name, as the toggle shows it. */
    val nativeName: String,
) {
    ZH("zh", "中文"),
    EN("en", "English"),
    ;

    /** Its words. */
    val strings: Strings get() = if (this == EN) EnStrings else ZhStrings

    /** The same language as the library takes it (the words it writes, e.g. a calculator's breakdown). */
    val library: org.lawcircle.ffi.Language get() = if (this == EN) org.lawcircle.ffi.Language.EN else org.lawcircle.ffi.Language.ZH

    companion object {
        /** A persisted tag back to its language; anything else (nothing saved yet) is Chinese. */
        fun fromTag(tag: String?): Language = entries.firstOrNull { it.tag == tag } ?: ZH
    }
}

/** The words of the screens in the chosen language, provided by [LawCircleTheme]. */
val LocalStrings = staticCompositionLocalOf<Strings> { ZhStrings }

/** The current language's words, inside a composable. */
val strings: Strings
    @Composable @ReadOnlyComposable
    get() = LocalStrings.current

/**
 * Every word the screens show, one table per language ([ZhStrings],
 * [EnStrings]). Names from the platform (places, forms, posts) are the
 * platform's; the words for the core's codes (order states, fence
 * verdicts, reasons) are here too, so a new code needs both tables.
 */
interface Strings {
    val language: Language

    // Shared
    val appTitle: String
    val offlineTitle: String
    val offlineKeepWorking: String
    val networkRetryLater: String
    val refresh: String
    val reading: String
    val submitting: String
    val checkingAndSaving: String
    val locating: String
    val opening: String

    // Labels of the core's codes
    fun category(category: NeedCategory, coreName: String?): String
    fun product(product: ServiceProduct): String
    fun facilityKind(kind: FacilityKind): String
    fun orderState(state: OrderState?): String
    fun urgency(urgency: Urgency): String
    fun verdict(v: FenceVerdict): String
    fun reason(code: String): String
    fun punch(kind: PunchKind): String
    fun outboxKind(kind: OutboxKind): String
    fun outboxState(state: OutboxState): String
    fun role(role: Role): String
    fun field(field: String): String
    fun problem(field: String, reason: String): String
    fun assessment(verdict: Verdict): String
    fun home(home: Home): String
    val takenBySomeoneElse: String
    val alreadyRated: String
    val cannotReachPlatform: String
    fun checkField(name: String): String
    val notDone: String
    fun metres(m: Double): String

    // Home
    fun destinationTitle(d: Destination): String
    fun destinationHint(d: Destination): String
    val signedOut: String
    fun who(name: String, role: Role): String
    fun pendingBadge(n: ULong): String
    val signOut: String
    fun unsentAtSignOut(n: ULong): String
    val unsentAtSignOutDetail: String
    val discardAndSignOut: String
    val keepSignedIn: String
    val languageSetting: String

    // Duty hours (volunteer home)
    fun starsLine(stars: Int): String
    fun dutyHoursLine(total: Double, month: Double): String
    fun toNextStar(hours: Double, next: Int): String
    val topStar: String

    // Sign-in
    val signInTitle: String
    val serverAddress: String
    val scanStationCode: String
    val usernameOrPhone: String
    val password: String
    val signingIn: String
    val signIn: String
    fun welcome(name: String): String
    fun signedInAs(role: Role, home: Home): String

    // Register
    val register: String
    val smsSignIn: String
    val smsSubtitle: String
    val phone: String
    val code: String
    val getCode: String
    val getCodeAgain: String
    val codeSent: String
    fun codeValid(until: String, resendSecs: Long): String
    val displayName: String
    val optionalPassword: String
    val pleaseWait: String
    val registerAndSignIn: String
    fun signedInAsRole(role: Role): String

    // Find nearest
    val findTitle: String
    fun placesOnPhone(n: Long): String
    val catalogue: String
    fun coverage(covered: Long, total: Long): String
    val updateCatalogue: String
    val updatingCatalogue: String
    val offlineCatalogue: String
    val searchingNearby: String
    val searchAgain: String
    val noPlaces: String
    val noPlacesHint: String
    val walkEstimated: String
    fun walk(distance: String, minutes: Long?, withinCircle: Boolean): String
    fun call(phone: String): String
    val navigate: String
    val openNow: String
    val closedNow: String
    fun openingHours(hours: String): String
    fun openingExceptions(text: String): String

    // Clock-in
    val clockInTitle: String
    fun accuracy(m: Int?): String
    val gettingFix: String
    fun checkNow(verdict: String): String
    val recording: String
    val choosePost: String
    val updatePosts: String
    val updatingPosts: String
    val noPosts: String
    val noPostsHint: String
    val hotlineDesk: String
    val distanceUnknown: String
    val insideFence: String
    fun toFence(distance: String): String
    fun punchRecorded(kind: String, accepted: Boolean): String
    fun flaggedForStaff(reasons: String): String
    val punchSavedOffline: String
    val punchSubmitted: String
    val listSeparator: String

    // New need
    val newNeedTitle: String
    val newNeedSubtitle: String
    val saved: String
    val savedDetail: String
    val another: String
    val name: String
    val idNumberOptional: String
    val whichService: String
    val urgencyTitle: String
    val description: String
    val address: String
    val areaCode: String
    val villageFromGps: String
    val searchVillage: String
    fun villagePicked(name: String, street: String): String
    val changeVillage: String
    fun photo(index: Int, kb: Long, problem: String?): String
    val remove: String
    val addPhoto: String
    val consent: String
    fun problemsLeft(n: Int): String
    val submit: String

    // Outbox
    val outboxTitle: String
    fun outboxCounts(pending: ULong, wedged: ULong, sent: ULong): String
    val sendNow: String
    val sending: String
    val offlineOutbox: String
    fun syncSent(n: ULong): String
    fun syncPending(n: ULong): String
    val outboxEmpty: String
    val outboxEmptyHint: String
    fun attempts(n: UInt): String
    fun because(why: String): String
    val sendAgain: String
    val discard: String

    // Offers
    val offersTitle: String
    val live: String
    val connecting: String
    val disconnected: String
    val disconnectedDetail: String
    val dispatchedToMe: String
    val accept: String
    val decline: String
    val declineReasonBusy: String
    val nearbyRequests: String
    val noOffers: String
    val noOffersHint: String
    val grabbing: String
    val grab: String
    val urgentMark: String
    fun submittedAt(time: String): String
    fun respondBy(time: String): String
    fun myOrder(category: String): String
    fun stateIs(state: String): String
    val startService: String
    val resolveNote: String
    val resolve: String
    val showRatingCode: String

    // My needs
    val myNeedsTitle: String
    val myNeedsSubtitle: String
    fun needCount(n: Int, toRate: Int): String
    val progress: String
    val noNeeds: String
    val noNeedsHint: String
    fun receivedAt(time: String): String
    val rate: String

    // Rating
    val ratingTitle: String
    val ratingSubtitle: String
    val thanks: String
    fun ratedDetail(stars: Int, state: String): String
    val satisfied: String
    fun stars(n: Int): String
    val scoreWords: List<String>
    val commentOptional: String
    val submitRating: String

    // Rating code
    val ratingCodeTitle: String
    val ratingCodeSubtitle: String
    val generatingCode: String
    val noCode: String
    val noCodeHint: String
    fun validUntilOnce(time: String): String
    val generateCode: String
    val regenerate: String
    val ratingCodeDescription: String

    // Applications
    val applicationsTitle: String
    val applicationsSubtitle: String
    val readingForms: String
    val offlineForms: String
    val noForms: String
    val noFormsHint: String
    val update: String
    val applicationSaved: String
    val applicationSavedDetail: String
    fun preAssessment(verdict: String): String
    val finalDecision: String
    val documentsNeeded: String
    fun documentAtHand(name: String): String
    val contactMissing: String
    val submitApplication: String
    val backToForms: String

    // Order detail
    val orderDetailTitle: String
    val orderDetailOffline: String
    val place: String
    fun labelled(label: String, value: String): String
    fun attachmentsTitle(n: Int): String
    fun fileKind(contentType: String): String
    val download: String
    val downloading: String
    val open: String
    val requesterContact: String
    val contactAudited: String
    val contactReason: String
    val showContact: String

    // Compensation calculators and a place's detail
    val calcTitle: String
    val calcSubtitle: String
    fun calculatorName(c: Calculator): String
    /** A calculator field's label, by the library's field name ([org.lawcircle.phone.CalcFields]). */
    fun calcField(field: String): String

    /** A statistical year on its chip. */
    fun calcYear(year: UShort): String

    /** The library's table holds no year for this calculator. */
    val calcNoYears: String
    fun calcProblem(field: String, reason: String): String
    val calcOutcomeHeading: String
    fun calcOutcome(o: CalcOutcome): String
    val calcDependantHeading: String
    val calcTerminationHeading: String
    fun termination(t: Termination): String
    val calcItemsHeading: String
    val calcPaymentsHeading: String
    val calculate: String
    val calculating: String
    val calcEmptyHint: String
    val calcEdit: String
    fun calcTotal(amount: String): String
    fun calcItemsTotal(amount: String): String
    fun yuan(amount: String): String
    val legalBasis: String
    val calcNotes: String
    val placePhone: String
    val callShort: String
    val placeProducts: String
    val placeHours: String
    val readingHours: String
    val hoursUnreadable: String
    fun todayHours(spans: String): String
    /** 1 = Monday … 7 = Sunday. */
    fun weekday(n: Int): String
    /** A day's spans joined, or "closed". */
    fun spans(spans: List<String>): String
    val adjustedMark: String
    val upcomingExceptions: String
    val noUpcomingExceptions: String
    fun exceptionLine(date: String, weekday: String, spans: String): String
    val noMapApp: String
    val placeDetails: String
    /** Between the names of a short list (products). */
    val itemSeparator: String
    // Sign-in routes (password or SMS code), need drafts, the push distributor
    val signInWithPassword: String
    val signInWithSmsCode: String
    val registerWithSmsCode: String
    val draftsTitle: String
    val draftsSubtitle: String
    fun draftCount(n: Int): String
    val draftsOnPhone: String
    val noDrafts: String
    val noDraftsHint: String
    val draftNoName: String
    fun draftSavedAt(time: String, files: Int): String
    val discardDraftQuestion: String
    val discardDraftDetail: String
    val keepDraft: String
    val discardDraft: String
    val resumeDraft: String
    val saveDraft: String
    val draftSaved: String
    val draftSavedDetail: String
    val pushTitle: String
    val pushSubtitle: String
    fun pushUsing(app: String): String
    val pushUsingDetail: String
    val pushChange: String
    val pushChooseTitle: String
    val pushChooseHint: String
    val pushNone: String
    val pushNoneDetail: String
    val pushLookAgain: String
    val pushNeedsChoice: String
    val pushNeedsChoiceDetail: String
    val pushChooseNow: String
    // A need's history (my needs)
    val needHistory: String
    fun needStep(what: NeedStepKind): String
}
