package org.lawcircle.ui

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
import org.lawcircle.phone.CalcFields
import org.lawcircle.phone.CalcOutcome

/** The screens in English (the toggle on the home screen). */
object EnStrings : Strings {
    override val language = Language.EN

    override val appTitle = "Longwan 15-minute legal service circle"
    override val offlineTitle = "Offline"
    override val offlineKeepWorking = "You can keep entering needs and clocking in: it is saved on the phone and sent once online."
    override val networkRetryLater = "Please try again later; what is saved on the phone is not lost."
    override val refresh = "Refresh"
    override val reading = "Reading…"
    override val submitting = "Submitting…"
    override val checkingAndSaving = "Checking and saving…"
    override val locating = "Finding where you are…"
    override val opening = "Opening…"

    override fun category(category: NeedCategory, coreName: String?) = when (category) {
        NeedCategory.CONSULTATION -> "Legal consultation"
        NeedCategory.MEDIATION -> "People's mediation"
        NeedCategory.LEGAL_AID -> "Legal aid"
        NeedCategory.NOTARIZATION -> "Notarization"
        NeedCategory.JUDICIAL_APPRAISAL -> "Judicial appraisal"
        NeedCategory.ARBITRATION -> "Arbitration"
        NeedCategory.ADMINISTRATIVE_RECONSIDERATION -> "Administrative reconsideration"
        NeedCategory.REMOTE_PRISON_VISIT -> "Remote prison visit"
        NeedCategory.ENTERPRISE_CHECKUP -> "Enterprise legal check-up"
        NeedCategory.OTHER -> "Other matter"
    }

    override fun product(product: ServiceProduct) = when (product) {
        ServiceProduct.LAWYER -> "Lawyer services"
        ServiceProduct.NOTARIZATION -> "Notarization"
        ServiceProduct.JUDICIAL_APPRAISAL -> "Judicial appraisal"
        ServiceProduct.ARBITRATION -> "Arbitration"
        ServiceProduct.MEDIATION -> "Mediation"
        ServiceProduct.LEGAL_AID -> "Legal aid"
        ServiceProduct.GRASSROOTS_LEGAL_SERVICE -> "Grassroots legal services"
        ServiceProduct.LEGAL_EDUCATION -> "Rule-of-law education"
    }

    override fun facilityKind(kind: FacilityKind) = when (kind) {
        FacilityKind.SERVICE_CENTER -> "Public legal service centre"
        FacilityKind.SMART_TERMINAL -> "24-hour smart terminal"
        FacilityKind.GUIDE_BOARD -> "Service guide board"
        FacilityKind.LAW_FIRM -> "Law firm"
        FacilityKind.GRASSROOTS_LEGAL_SERVICE_OFFICE -> "Grassroots legal service office"
        FacilityKind.NOTARY_OFFICE -> "Notary office"
        FacilityKind.JUDICIAL_APPRAISAL_INSTITUTION -> "Judicial appraisal institution"
        FacilityKind.ARBITRATION_INSTITUTION -> "Arbitration institution"
        FacilityKind.MEDIATION_ORGANIZATION -> "Mediation organisation"
        FacilityKind.JUDICIAL_OFFICE -> "Judicial office"
        FacilityKind.LEGAL_AID_INSTITUTION -> "Legal aid institution"
        FacilityKind.LEGAL_EDUCATION_SITE -> "Rule-of-law education site"
        FacilityKind.ADMINISTRATIVE_RECONSIDERATION_POINT -> "Administrative reconsideration drop-off point"
    }

    override fun orderState(state: OrderState?) = when (state) {
        null -> "Waiting to be taken in"
        OrderState.SUBMITTED -> "Submitted"
        OrderState.OPEN -> "Waiting for a volunteer"
        OrderState.CLAIMED -> "Taken"
        OrderState.ASSIGNED -> "Dispatched"
        OrderState.IN_PROGRESS -> "In service"
        OrderState.RESOLVED -> "Resolved"
        OrderState.EVALUATED -> "Rated"
        OrderState.CLOSED -> "Closed"
        OrderState.TRANSFERRED -> "Transferred"
        OrderState.ESCALATED -> "Escalated"
        OrderState.CANCELLED -> "Cancelled"
    }

    override fun urgency(urgency: Urgency) = when (urgency) {
        Urgency.LOW -> "Not urgent"
        Urgency.NORMAL -> "Normal"
        Urgency.HIGH -> "Rather urgent"
        Urgency.URGENT -> "Urgent"
    }

    override fun verdict(v: FenceVerdict) = when (v) {
        FenceVerdict.INSIDE -> "inside the clock-in area"
        FenceVerdict.OUTSIDE -> "outside the clock-in area"
        FenceVerdict.UNCERTAIN -> "position uncertain, station staff will check"
    }

    override fun reason(code: String) = when (code) {
        "invalid_fix" -> "the location data is invalid"
        "mock_location" -> "a mock location was detected"
        "inside_fence" -> "inside the duty post's area"
        "within_margin" -> "at the edge of the area, within the allowed error"
        "partial_overlap" -> "the location's error circle partly overlaps the area"
        "outside_fence" -> "too far from the duty post"
        "accuracy_too_poor" -> "the location is not precise enough; try again in the open"
        "stale_fix" -> "the location is out of date; wait for a new one"
        "fix_after_punch" -> "the location is later than the punch"
        "impossible_speed" -> "the movement is implausibly fast"
        "clock_skew" -> "the phone's clock is far from the platform's"
        "no_fence" -> "hotline desks clock in by shift, no location needed"
        "outside_shift" -> "outside the duty shift"
        "no_fix" -> "no location yet"
        else -> "another reason"
    }

    override fun punch(kind: PunchKind) = when (kind) {
        PunchKind.IN -> "Clock-in"
        PunchKind.OUT -> "Clock-out"
    }

    override fun outboxKind(kind: OutboxKind) = when (kind) {
        OutboxKind.NEED -> "Need"
        OutboxKind.ATTACHMENT -> "Photo"
        OutboxKind.PUNCH -> "Clock-in record"
    }

    override fun outboxState(state: OutboxState) = when (state) {
        OutboxState.NOT_SENT -> "Not sent yet"
        OutboxState.SENDING -> "Sending"
        OutboxState.SENT -> "Delivered"
        OutboxState.FAILED -> "Failed, retried automatically"
        OutboxState.WEDGED -> "Returned by the platform, needs attention"
        OutboxState.DISCARDED -> "Discarded"
    }

    override fun role(role: Role) = when (role) {
        Role.RESIDENT -> "resident"
        Role.VOLUNTEER -> "volunteer"
        Role.LAWYER -> "lawyer"
        Role.STATION_STAFF -> "station staff"
        Role.DISTRICT_ADMIN -> "district administrator"
    }

    override fun field(field: String) = when {
        field == "requester.name" -> "Name"
        field == "requester.phone" || field == "phone" -> "Mobile number"
        field == "requester.id_number" -> "ID number"
        field == "description" -> "Description"
        field == "location.address" -> "Address"
        field == "location.area_code" -> "Village (community)"
        field == "consent.given" -> "Consent to personal data use"
        field == "code" -> "Verification code"
        field == "password" -> "Password"
        field == "username" -> "Username or mobile number"
        field == "server_url" -> "Platform address"
        field == "outbox" -> "Unsent items"
        field == "display_name" -> "How to address you"
        field == "score" -> "Score"
        field == "kinds" || field == "products" -> "Filters"
        field.startsWith("attachments") -> "Attachment"
        else -> "Your entry"
    }

    override fun problem(field: String, reason: String): String {
        val hint = when {
            field == "requester.name" -> "Enter the name"
            field == "requester.phone" -> "Enter an 11-digit mobile number"
            field == "requester.id_number" -> "The ID number is not valid"
            field == "description" -> "Describe what happened"
            field == "location.address" -> "Enter the address"
            field == "location.area_code" -> "Enter the village (community)"
            field == "consent.given" -> "Your consent is needed to submit"
            field.startsWith("attachments") -> "This photo cannot be submitted"
            else -> "Check ${this.field(field)}"
        }
        return "$hint ($reason)"
    }

    override fun assessment(verdict: Verdict) = when (verdict) {
        Verdict.ELIGIBLE -> "likely eligible for legal aid"
        Verdict.LIKELY -> "possibly eligible, to be reviewed"
        Verdict.NOT_ELIGIBLE -> "probably not eligible"
    }

    override fun home(home: Home) = when (home) {
        Home.RESIDENT -> "the resident's home"
        Home.VOLUNTEER -> "the volunteer's home"
        Home.LAWYER -> "the lawyer's home"
        Home.CONSOLE -> "the resident's home (use the web console for staff work)"
    }

    override val takenBySomeoneElse = "Taken by someone else"
    override val alreadyRated = "This service was rated already"
    override val cannotReachPlatform = "Cannot reach the platform; check the network"
    override fun checkField(name: String) = "Please check: $name"
    override val notDone = "That did not work"
    override fun metres(m: Double) = if (m < 1000) "${m.toInt()} m" else "%.1f km".format(m / 1000)

    override fun destinationTitle(d: Destination) = when (d) {
        Destination.SignIn -> "Register / sign in"
        Destination.FindNearest -> "Find nearby"
        Destination.NewNeed -> "New need"
        Destination.Applications -> "Apply online"
        Destination.MyNeeds -> "My needs"
        Destination.ClockIn -> "Duty clock-in"
        Destination.Offers -> "Orders"
        Destination.Outbox -> "Outbox"
        Destination.Calculators -> "Compensation calculators"
        Destination.Drafts -> "Drafts"
    }

    override fun destinationHint(d: Destination) = when (d) {
        Destination.SignIn -> "With your mobile number and an SMS code"
        Destination.FindNearest -> "Legal service points within a 15-minute walk"
        Destination.NewNeed -> "Tell us about your legal problem"
        Destination.Applications -> "Legal aid, mediation and other applications"
        Destination.MyNeeds -> "Progress and rating"
        Destination.ClockIn -> "Clock in at your post, clock out when leaving"
        Destination.Offers -> "Requests nearby, grab and dispatched orders"
        Destination.Outbox -> "Saved offline, sent automatically once online"
        Destination.Calculators -> "Injury, traffic, work injury, severance; works offline"
        Destination.Drafts -> "Forms not finished: continue or delete"
    }

    override val signedOut = "Not signed in"
    override fun who(name: String, role: Role) = "$name (${this.role(role)})"
    override fun pendingBadge(n: ULong) = " ($n waiting)"
    override val signOut = "Sign out"
    override fun unsentAtSignOut(n: ULong) = if (n == 1uL) "1 item is not sent yet" else "$n items are not sent yet"
    override val unsentAtSignOutDetail = "Signing out discards them. You can send them from the outbox first."
    override val discardAndSignOut = "Discard and sign out"
    override val keepSignedIn = "Stay signed in"
    override val languageSetting = "语言 Language"

    override fun starsLine(stars: Int) = "★".repeat(stars) + "☆".repeat(5 - stars) + "  $stars-star volunteer"
    override fun dutyHoursLine(total: Double, month: Double) = "%.1f h on duty in all · %.1f h this month".format(total, month)
    override fun toNextStar(hours: Double, next: Int) = "%.1f h more on duty for ${stars(next)}".format(hours)
    override val topStar = "The highest star level"

    override val signInTitle = "Sign in"
    override val serverAddress = "Platform address"
    override val scanStationCode = "Scan the station's QR code"
    override val usernameOrPhone = "Username or mobile number"
    override val password = "Password"
    override val signingIn = "Signing in…"
    override val signIn = "Sign in"
    override fun welcome(name: String) = "Welcome, $name"
    override fun signedInAs(role: Role, home: Home) = "Signed in as ${this.role(role)}, going to ${this.home(home)}."

    override val register = "Register"
    override val smsSignIn = "Sign in with a code"
    override val smsSubtitle = "An SMS code to your own mobile number"
    override val phone = "Mobile number"
    override val code = "Verification code"
    override val getCode = "Get code"
    override val getCodeAgain = "Send again"
    override val codeSent = "Code sent"
    override fun codeValid(until: String, resendSecs: Long) = "Valid until $until; a new one in $resendSecs s."
    override val displayName = "How should we address you"
    override val optionalPassword = "Password (optional: sign in with a code later)"
    override val pleaseWait = "Please wait…"
    override val registerAndSignIn = "Register and sign in"
    override fun signedInAsRole(role: Role) = "Signed in as ${this.role(role)}."

    override val findTitle = "Find nearby"
    override fun placesOnPhone(n: Long) = "$n service points on this phone"
    override val catalogue = "Service points"
    override fun coverage(covered: Long, total: Long) = "$covered of $total services within a 15-minute walk"
    override val updateCatalogue = "Update"
    override val updatingCatalogue = "Updating the service points…"
    override val offlineCatalogue = "Showing the service points saved on the phone; distances work as usual."
    override val searchingNearby = "Looking for service points nearby…"
    override val searchAgain = "Search again"
    override val noPlaces = "No matching service point nearby"
    override val noPlacesHint = "Lift a filter, or update the list and try again"
    override val walkEstimated = "Walking distances are estimates"
    override fun walk(distance: String, minutes: Long?, withinCircle: Boolean) =
        "$distance on foot" + (minutes?.let { ", about $it min" } ?: "") + if (withinCircle) " (within the 15-minute circle)" else ""
    override fun call(phone: String) = "Call $phone"
    override val navigate = "Directions"
    override val openNow = "Open now"
    override val closedNow = "Closed now"
    override fun openingHours(hours: String) = "Hours: $hours"
    override fun openingExceptions(text: String) = "Exceptions: $text"

    override val clockInTitle = "Duty clock-in"
    override fun accuracy(m: Int?) = "Location accurate to ±${m ?: "—"} m"
    override val gettingFix = "Getting a location…"
    override fun checkNow(verdict: String) = "Clocking in now: $verdict"
    override val recording = "Recording…"
    override val choosePost = "Choose a duty post"
    override val updatePosts = "Update posts"
    override val updatingPosts = "Updating the duty posts…"
    override val noPosts = "No duty posts on this phone yet"
    override val noPostsHint = "Go online and tap “Update posts”"
    override val hotlineDesk = "Hotline desk, clock in by shift"
    override val distanceUnknown = "Distance unknown"
    override val insideFence = "You are inside the area"
    override fun toFence(distance: String) = "$distance to the clock-in area"
    override fun punchRecorded(kind: String, accepted: Boolean) = kind + if (accepted) " recorded" else " not accepted"
    override fun flaggedForStaff(reasons: String) = "Station staff will check: $reasons"
    override val punchSavedOffline = "Offline: the record is saved on the phone and sent once online."
    override val punchSubmitted = "The record was sent to the platform."
    override val listSeparator = "; "

    override val newNeedTitle = "New need"
    override val newNeedSubtitle = "Saved on the phone, sent once online"
    override val saved = "Saved"
    override val savedDetail = "The need is in the outbox and will be delivered once online; follow it under “My needs”."
    override val another = "Enter another"
    override val name = "Name"
    override val idNumberOptional = "ID number (optional)"
    override val whichService = "Which service"
    override val urgencyTitle = "Urgency"
    override val description = "Description"
    override val address = "Address"
    override val areaCode = "Village (community) code"
    override val villageFromGps = "Village (community) from my location"
    override val searchVillage = "Search villages (communities)"
    override fun villagePicked(name: String, street: String) = "Village (community): $name ($street)"
    override val changeVillage = "Change"
    override fun photo(index: Int, kb: Long, problem: String?) = "Photo $index: $kb KB" + (problem?.let { " ($it)" } ?: "")
    override val remove = "Remove"
    override val addPhoto = "Add a photo"
    override val consent = "I agree that my personal data is used to handle this matter"
    override fun problemsLeft(n: Int) = if (n == 1) "1 thing to fix" else "$n things to fix"
    override val submit = "Submit"

    override val outboxTitle = "Outbox"
    override fun outboxCounts(pending: ULong, wedged: ULong, sent: ULong) = "$pending waiting · $wedged need attention · $sent delivered"
    override val sendNow = "Send now"
    override val sending = "Sending…"
    override val offlineOutbox = "Everything is saved on the phone and will not be lost; it is sent once online."
    override fun syncSent(n: ULong) = "$n delivered this time"
    override fun syncPending(n: ULong) = "$n still waiting"
    override val outboxEmpty = "Nothing waiting to be sent"
    override val outboxEmptyHint = "Needs and clock-ins made offline appear here"
    override fun attempts(n: UInt) = " ($n attempts)"
    override fun because(why: String) = "Reason: $why"
    override val sendAgain = "Send again"
    override val discard = "Discard"

    override val offersTitle = "Orders"
    override val live = "Receiving live"
    override val connecting = "Connecting to the platform…"
    override val disconnected = "Disconnected from the platform"
    override val disconnectedDetail = "Reconnecting automatically; you can also refresh."
    override val dispatchedToMe = "Dispatched to me"
    override val accept = "Accept"
    override val decline = "Decline"
    override val declineReasonBusy = "Schedule conflict"
    override val nearbyRequests = "Requests nearby"
    override val noOffers = "No new requests nearby"
    override val noOffersHint = "New requests appear here at once"
    override val grabbing = "Grabbing…"
    override val grab = "Grab"
    override val urgentMark = " (urgent)"
    override fun submittedAt(time: String) = "Submitted $time"
    override fun respondBy(time: String) = "Respond by $time"
    override fun myOrder(category: String) = "My order: $category"
    override fun stateIs(state: String) = "State: $state"
    override val startService = "Start service"
    override val resolveNote = "Resolution note (what was done)"
    override val resolve = "Resolve"
    override val showRatingCode = "Show the rating code"

    override val myNeedsTitle = "My needs"
    override val myNeedsSubtitle = "Progress and rating"
    override fun needCount(n: Int, toRate: Int) = "$n in all" + if (toRate == 0) "" else ", $toRate to rate"
    override val progress = "Progress"
    override val noNeeds = "No needs submitted yet"
    override val noNeedsHint = "Tap “New need” on the home screen, or ask at a service point nearby"
    override fun receivedAt(time: String) = "Received $time"
    override val rate = "Rate"

    override val ratingTitle = "Rate the service"
    override val ratingSubtitle = "Your rating helps us improve"
    override val thanks = "Thank you for rating"
    override fun ratedDetail(stars: Int, state: String) = "Rated $stars stars. The service is now “$state”."
    override val satisfied = "Were you satisfied with this service?"
    override fun stars(n: Int) = if (n == 1) "1 star" else "$n stars"
    override val scoreWords = listOf("Very dissatisfied", "Dissatisfied", "Neutral", "Satisfied", "Very satisfied")
    override val commentOptional = "Tell us more (optional)"
    override val submitRating = "Submit rating"

    override val ratingCodeTitle = "Rating QR code"
    override val ratingCodeSubtitle = "The person served scans it to rate"
    override val generatingCode = "Making the QR code…"
    override val noCode = "No QR code yet"
    override val noCodeHint = "Tap the button below to make one"
    override fun validUntilOnce(time: String) = "Valid until $time, rates once"
    override val generateCode = "Make the QR code"
    override val regenerate = "Make a new one"
    override val ratingCodeDescription = "Rating QR code"

    override val applicationsTitle = "Apply online"
    override val applicationsSubtitle = "Choose what to apply for"
    override val readingForms = "Reading the application forms…"
    override val offlineForms = "Showing the forms saved on the phone; once filled in they are submitted when online."
    override val noForms = "No application forms on this phone yet"
    override val noFormsHint = "Go online and tap “Update”"
    override val update = "Update"
    override val applicationSaved = "Application saved"
    override val applicationSavedDetail = "In the outbox, submitted once online; follow it under “My needs”."
    override fun preAssessment(verdict: String) = "Pre-assessment: $verdict"
    override val finalDecision = "The legal aid office makes the final decision."
    override val documentsNeeded = "Documents still needed"
    override fun documentAtHand(name: String) = "$name (I have it)"
    override val contactMissing = "Contact details to complete"
    override val submitApplication = "Submit the application"
    override val backToForms = "Back to the list"

    override val orderDetailTitle = "Order detail"
    override val orderDetailOffline = "The order detail needs a connection; tap “Search again” once online."
    override val place = "Place"
    override fun labelled(label: String, value: String) = "$label: $value"
    override fun attachmentsTitle(n: Int) = if (n == 0) "No attachments" else "Attachments ($n)"
    override fun fileKind(contentType: String) = when {
        contentType.startsWith("image/") -> "Photo"
        contentType == "application/pdf" -> "PDF file"
        else -> "File"
    }
    override val download = "Download"
    override val downloading = "Downloading…"
    override val open = "Open"
    override val requesterContact = "The requester's contact"
    override val contactAudited = "Reading the contact is recorded; say why."
    override val contactReason = "Why (e.g. to call the requester)"
    override val showContact = "Show the contact"

    override val calcTitle = "Compensation"
    override val calcSubtitle = "Offline estimate from Zhejiang's figures, for reference only"
    override fun calculatorName(c: Calculator) = when (c) {
        Calculator.PERSONAL_INJURY -> "Personal injury"
        Calculator.TRAFFIC_ACCIDENT -> "Traffic accident"
        Calculator.WORK_INJURY -> "Work injury"
        Calculator.SEVERANCE -> "Severance"
    }

    override fun calcYear(year: UShort) = "$year"

    override val calcNoYears = "The parameter table holds no year for this calculator"

    override fun calcField(field: String) = when (field) {
        CalcFields.YEAR -> "Statistical year"
        CalcFields.AGE -> "Victim's age (years)"
        CalcFields.GRADE -> "Disability grade (1–10)"
        CalcFields.DEPENDANT_AGE -> "Dependant's age (optional)"
        CalcFields.DEPENDANT_OBLIGED -> "People supporting them (victim included)"
        CalcFields.FAULT_SHARE -> "Other party's share of fault (%)"
        CalcFields.PROPERTY_LOSS -> "Property loss (yuan, optional)"
        CalcFields.MONTHLY_WAGE -> "Average monthly wage (yuan)"
        CalcFields.MONTHS_OF_SERVICE -> "Length of service (months)"
        CalcFields.LAST_MONTH_WAGE -> "Last month's wage (yuan)"
        "items.medical" -> "Medical costs (yuan)"
        "items.lost_wages" -> "Lost wages (yuan)"
        "items.nursing" -> "Nursing (yuan)"
        "items.hospital_meals" -> "Hospital meals (yuan)"
        "items.nutrition" -> "Nutrition (yuan)"
        "items.transport" -> "Transport (yuan)"
        "items.lodging" -> "Lodging (yuan)"
        "items.appraisal" -> "Appraisal fees (yuan)"
        "items.assistive_devices" -> "Assistive devices (yuan)"
        "items.mental_solatium" -> "Solatium for mental harm (yuan)"
        "dependants" -> "Dependants"
        else -> "Your entry"
    }
    override fun calcProblem(field: String, reason: String) = when (field) {
        CalcFields.YEAR -> "No figures for that year, or not a year ($reason)"
        "dependants" -> "Dependants count only on disability or death ($reason)"
        else -> "Check: ${calcField(field).substringBefore(" (")} ($reason)"
    }
    override val calcOutcomeHeading = "What it led to"
    override fun calcOutcome(o: CalcOutcome) = when (o) {
        CalcOutcome.INJURY -> "Injury (no grade)"
        CalcOutcome.DISABILITY -> "Disability"
        CalcOutcome.DEATH -> "Death"
    }
    override val calcDependantHeading = "Dependant"
    override val calcTerminationHeading = "How the job ended"
    override fun termination(t: Termination) = when (t) {
        Termination.LAWFUL -> "Lawful (N)"
        Termination.LAWFUL_IN_LIEU_OF_NOTICE -> "Without notice (N+1)"
        Termination.UNLAWFUL -> "Unlawful (2N)"
    }
    override val calcItemsHeading = "Items"
    override val calcPaymentsHeading = "Who pays"
    override val calculate = "Calculate"
    override val calculating = "Calculating…"
    override val calcEmptyHint = "Fill in and tap “Calculate”; it works offline. For reference only, not legal advice."
    override val calcEdit = "Change the entries"
    override fun calcTotal(amount: String) = "Total ${yuan(amount)}"
    override fun calcItemsTotal(amount: String) = "Items together ${yuan(amount)}"
    override fun yuan(amount: String) = "¥$amount"
    override val legalBasis = "Legal basis"
    override val calcNotes = "Notes"
    override val placePhone = "Phone"
    override val callShort = "Call"
    override val placeProducts = "Services"
    override val placeHours = "Opening hours"
    override val readingHours = "Reading the opening hours…"
    override val hoursUnreadable = "The opening hours cannot be read"
    override fun todayHours(spans: String) = "Today: $spans"
    override fun weekday(n: Int) = when (n) {
        1 -> "Mon"
        2 -> "Tue"
        3 -> "Wed"
        4 -> "Thu"
        5 -> "Fri"
        6 -> "Sat"
        7 -> "Sun"
        else -> ""
    }
    override fun spans(spans: List<String>) = if (spans.isEmpty()) "closed" else spans.joinToString(", ")
    override val adjustedMark = " (changed)"
    override val upcomingExceptions = "Holiday changes ahead"
    override val noUpcomingExceptions = "No changes ahead"
    override fun exceptionLine(date: String, weekday: String, spans: String) = "$date $weekday: $spans"
    override val noMapApp = "No map app on this phone can navigate"
    override val placeDetails = "Details"
    override val itemSeparator = ", "
    override val signInWithPassword = "Sign in with a password"
    override val signInWithSmsCode = "Sign in with an SMS code"
    override val registerWithSmsCode = "No account yet? Register with your mobile number"
    override val draftsTitle = "Drafts"
    override val draftsSubtitle = "Need forms not finished, kept on this phone"
    override fun draftCount(n: Int) = if (n == 1) "1 draft on this phone" else "$n drafts on this phone"
    override val draftsOnPhone = "Drafts on this phone"
    override val noDrafts = "No drafts"
    override val noDraftsHint = "Tap \"Save draft\" in a need form to finish it later"
    override val draftNoName = "(no name yet)"
    override fun draftSavedAt(time: String, files: Int) =
        "Saved $time" + when (files) {
            0 -> ""
            1 -> " · 1 attachment"
            else -> " · $files attachments"
        }
    override val discardDraftQuestion = "Delete this draft?"
    override val discardDraftDetail = "What was typed and its photos are deleted for good."
    override val keepDraft = "Keep"
    override val discardDraft = "Delete draft"
    override val resumeDraft = "Continue"
    override val saveDraft = "Save draft"
    override val draftSaved = "Draft saved"
    override val draftSavedDetail = "Continue it from Drafts."
    override val pushTitle = "Notifications"
    override val pushSubtitle = "Which push app brings new orders and progress while this app is closed"
    override fun pushUsing(app: String) = "Notifications through \"$app\""
    override val pushUsingDetail = "New orders and progress reach you with this app closed."
    override val pushChange = "Use another push app"
    override val pushChooseTitle = "Several push apps are installed: pick one"
    override val pushChooseHint = "Your choice is kept; you will not be asked again."
    override val pushNone = "No push app on this phone"
    override val pushNoneDetail = "With this app closed, no notifications arrive. While on duty the app stays connected and new orders still come; to get them with the app closed, install a UnifiedPush app (e.g. ntfy)."
    override val pushLookAgain = "Check again"
    override val pushNeedsChoice = "No push app chosen yet"
    override val pushNeedsChoiceDetail = "Several push apps are on this phone: pick one so new orders and progress reach you with this app closed."
    override val pushChooseNow = "Choose the push app"
    override val needHistory = "What happened so far"
    override fun needStep(what: NeedStepKind) = when (what) {
        NeedStepKind.RECEIVED -> "Received"
        NeedStepKind.OPENED -> "Offered to volunteers"
        NeedStepKind.GRABBED -> "Taken by a volunteer"
        NeedStepKind.DISPATCHED -> "Dispatched by the station"
        NeedStepKind.ACCEPTED -> "Taken on"
        NeedStepKind.DECLINED -> "Handed back, waiting again"
        NeedStepKind.STARTED -> "Service started"
        NeedStepKind.TRANSFERRED -> "Transferred"
        NeedStepKind.ESCALATED -> "Passed to the hotline"
        NeedStepKind.RESOLVED -> "Resolved"
        NeedStepKind.RATED -> "You rated it"
        NeedStepKind.CLOSED -> "Closed"
        NeedStepKind.CANCELLED -> "Cancelled"
    }
}
