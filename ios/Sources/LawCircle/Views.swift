// SwiftUI screens: thin renderings of the view models, built only where
// SwiftUI exists (Xcode), never on Linux.
#if canImport(SwiftUI)
    import SwiftUI
    import LawCircleFFI
    #if canImport(UIKit)
        import UIKit
    #endif

    /// Bridges a StateHolder to SwiftUI on the main thread.
    @MainActor
    public final class Observed<State>: ObservableObject {
        @Published public private(set) var value: State
        private var token: ObservationToken?

        public init(_ holder: StateHolder<State>) {
            value = holder.value
            token = holder.observe { [weak self] new in self?.value = new }
        }
    }

    private struct StringsKey: EnvironmentKey {
        static let defaultValue = Strings(.chinese)
    }

    extension EnvironmentValues {
        /// The texts in the user's language (`LanguageSetting`), set once at
        /// the root; Chinese until the user toggles.
        public var strings: Strings {
            get { self[StringsKey.self] }
            set { self[StringsKey.self] = newValue }
        }
    }

    /// The Chinese/English toggle, for the "me" screen or a toolbar.
    public struct LanguageToggle: View {
        private let setting: LanguageSetting
        @StateObject private var state: Observed<Language>
        @Environment(\.strings) private var s

        public init(setting: LanguageSetting) {
            self.setting = setting
            _state = StateObject(wrappedValue: Observed(setting.state))
        }

        public var body: some View {
            Button(s(.languageToggle)) { setting.toggle() }
                .accessibilityHint(s(.languageToggleHint))
        }
    }

    public struct ConnectivityBanner: View {
        @StateObject private var state: Observed<ConnectivityState>
        @Environment(\.strings) private var s

        public init(model: ConnectivityViewModel) {
            _state = StateObject(wrappedValue: Observed(model.state))
        }

        public var body: some View {
            switch state.value {
            case .unknown, .online:
                EmptyView()
            case let .offline(reason):
                Text(s(.offlineBanner, reason)).font(.footnote).padding(8)
            }
        }
    }

    public struct DistanceView: View {
        private let model: DistanceViewModel
        @StateObject private var state: Observed<DistanceState>
        @Environment(\.strings) private var s

        public init(model: DistanceViewModel) {
            self.model = model
            _state = StateObject(wrappedValue: Observed(model.state))
        }

        public var body: some View {
            switch state.value {
            case .incomplete:
                Text(s(.pickAPlace))
            case let .measured(meters, minutes, within):
                VStack {
                    Text(s(.walkMetresMinutes, distanceText(meters, s), minutes))
                    Text(s(within ? .withinCircle : .beyondCircle))
                }
                .accessibilityElement(children: .combine)
            case let .invalid(error):
                ErrorText(error: error)
            }
        }
    }

    // MARK: - helpers

    /// A two-way binding whose writes go through a view-model intent.
    private func binding<T>(_ get: @escaping () -> T, _ set: @escaping (T) -> Void) -> Binding<T> {
        Binding(get: get, set: set)
    }

    /// A failed call in the user's language, read out as an error.
    public struct ErrorText: View {
        let error: UiError
        @Environment(\.strings) private var s

        public init(error: UiError) { self.error = error }

        public var body: some View {
            Text(error.text(s)).foregroundColor(.red)
                .accessibilityLabel(s(.errorPrefix, error.text(s)))
        }
    }

    /// A field's problem from the core, under the field.
    private struct ProblemText: View {
        let text: String?

        var body: some View {
            if let text {
                Text(text).font(.caption).foregroundColor(.red)
                    .accessibilityLabel(Text(verbatim: text))
            }
        }
    }

    private extension View {
        /// A digits keyboard on iOS (macOS has none to pick).
        func digitKeyboard() -> some View {
            #if os(iOS)
                return keyboardType(.decimalPad)
            #else
                return self
            #endif
        }
    }

    // MARK: - find nearest

    public struct FindNearestView: View {
        private let model: FindNearestViewModel
        private let position: Point?
        @StateObject private var state: Observed<FindNearestState>
        @StateObject private var catalogue: Observed<CatalogueState>
        @State private var product: ServiceProduct?
        @Environment(\.strings) private var s

        public init(model: FindNearestViewModel, position: Point?) {
            self.model = model
            self.position = position
            _state = StateObject(wrappedValue: Observed(model.state))
            _catalogue = StateObject(wrappedValue: Observed(model.catalogue))
        }

        public var body: some View {
            List {
                Section {
                    Picker(s(.service), selection: $product) {
                        Text(s(.serviceAll)).tag(ServiceProduct?.none)
                        ForEach(serviceProducts, id: \.self) { p in
                            Text(productName(p, s)).tag(ServiceProduct?.some(p))
                        }
                    }
                    .onChange(of: product) { p in model.setFilters(products: p.map { [$0] } ?? []) }
                    if case let .offline(status, _) = catalogue.value {
                        Text(s(.offlineCopy, status.facilities)).font(.footnote)
                    }
                }
                switch state.value {
                case .idle:
                    Text(s(.waitingForPosition))
                case let .error(error):
                    ErrorText(error: error)
                case let .content(result):
                    Section(s(result.estimated ? .walksEstimated : .walkingDistance)) {
                        ForEach(result.places, id: \.facilityId) { place in
                            VStack(alignment: .leading) {
                                Text(place.name).font(.headline)
                                Text(facilityKindName(place.kind, s)).font(.subheadline)
                                Text(place.address).font(.caption)
                                Text(
                                    s(place.openNow ? .openNow : .closedNow) + " · " + place.openingHours
                                        + (place.openingExceptions.isEmpty ? "" : " · " + place.openingExceptions)
                                )
                                .font(.caption)
                                .foregroundColor(place.openNow ? .green : .secondary)
                                Text(
                                    s(
                                        .walkMetresMinutes, distanceText(place.walkingM, s),
                                        Int((place.walkingMinutes ?? 0).rounded()))
                                        + (place.withinCircle ? " · " + s(.inCircleShort) : "")
                                )
                                .font(.caption)
                                PlaceActions(place: place)
                            }
                            .accessibilityElement(children: .combine)
                        }
                    }
                    Section(s(.coverageHere, result.coverage.covered, result.coverage.total)) {
                        ForEach(result.coverage.products, id: \.product) { p in
                            HStack {
                                Text(productName(p.product, s))
                                Spacer()
                                Image(systemName: p.covered ? "checkmark.circle" : "xmark.circle")
                                    .accessibilityLabel(s(p.covered ? .covered : .notCovered))
                            }
                            .accessibilityElement(children: .combine)
                        }
                    }
                }
            }
            .refreshable { await model.refreshCatalogue() }
            .accessibilityHint(s(.refreshHint))
            .task {
                await model.refreshCatalogue()
                if let position { model.search(at: position) }
            }
        }
    }

    /// Call the place and walk there in a map app the phone has.
    struct PlaceActions: View {
        let place: NearbyPlace
        @Environment(\.openURL) private var openURL
        @Environment(\.strings) private var s

        var body: some View {
            HStack {
                if let phone = place.phone, let call = PlaceHandoffs.dialURL(phone) {
                    Button {
                        openURL(call)
                    } label: {
                        Label(phone, systemImage: "phone")
                    }
                    .accessibilityLabel(s(.callPlace, place.name))
                    .accessibilityHint(phone)
                }
                let maps = (try? PlaceHandoffs.mapChoices(place: place.point, name: place.name, canOpen: canOpen)) ?? []
                if !maps.isEmpty {
                    Menu {
                        ForEach(maps.indices, id: \.self) { i in
                            Button(maps[i].0.label) { openURL(maps[i].1) }
                        }
                    } label: {
                        Label(s(.navigate), systemImage: "figure.walk")
                    }
                    .accessibilityHint(s(.navigateHint, place.name))
                }
            }
            .buttonStyle(.borderless)
            .font(.callout)
        }

        private func canOpen(_ url: URL) -> Bool {
            #if canImport(UIKit)
                return UIApplication.shared.canOpenURL(url)
            #else
                return true
            #endif
        }
    }

    // MARK: - clock in

    public struct ClockInView: View {
        private let model: ClockInViewModel
        private let position: Point?
        @StateObject private var state: Observed<ClockInState>
        @Environment(\.strings) private var s

        public init(model: ClockInViewModel, position: Point?) {
            self.model = model
            self.position = position
            _state = StateObject(wrappedValue: Observed(model.state))
        }

        public var body: some View {
            List {
                if let words = state.value.access.explanation(s) {
                    Text(words).font(.callout)
                }
                switch state.value.posts {
                case .loading:
                    ProgressView().accessibilityLabel(s(.loading))
                case let .error(error):
                    ErrorText(error: error)
                case let .content(posts):
                    Section(s(.dutyPosts)) {
                        ForEach(posts, id: \.id) { post in
                            Button {
                                model.select(postId: post.id)
                            } label: {
                                HStack {
                                    Text(post.name)
                                    Spacer()
                                    if post.id == state.value.selectedPostId {
                                        Image(systemName: "checkmark").accessibilityHidden(true)
                                    }
                                }
                            }
                            .accessibilityAddTraits(post.id == state.value.selectedPostId ? .isSelected : [])
                        }
                    }
                }
                Section {
                    if let live = state.value.live {
                        Text(fenceVerdictName(live.verdict, s)).font(.headline)
                    } else if let error = state.value.liveError {
                        ErrorText(error: error)
                    } else {
                        Text(s(.waitingForFix))
                    }
                    HStack {
                        Button(s(.clockIn)) { Task { await model.clockIn(.in) } }
                        Spacer()
                        Button(s(.clockOut)) { Task { await model.clockIn(.out) } }
                    }
                    switch state.value.outcome {
                    case .none:
                        EmptyView()
                    case .punching:
                        ProgressView().accessibilityLabel(s(.loading))
                    case let .punched(_, receipt):
                        Text(
                            s(.recorded, fenceVerdictName(receipt.check.verdict, s))
                                + (receipt.offline ? " · " + s(.sentWhenOnline) : ""))
                    case let .error(error):
                        ErrorText(error: error)
                    }
                }
            }
            .task { await model.refresh(near: position) }
        }
    }

    // MARK: - duty card

    /// The volunteer's duty state: on or off duty, the last punch's
    /// delivery, the orders waiting and in hand.
    public struct DutyCardView: View {
        private let model: DutyStateViewModel
        @StateObject private var state: Observed<DutyState>
        @Environment(\.strings) private var s

        public init(model: DutyStateViewModel) {
            self.model = model
            _state = StateObject(wrappedValue: Observed(model.state))
        }

        public var body: some View {
            VStack(alignment: .leading) {
                switch state.value.duty {
                case .offDuty:
                    Text(s(.offDuty)).font(.headline)
                case let .onDuty(postName, sinceMs):
                    Text(
                        s(
                            .onDutyAt, postName,
                            Date(timeIntervalSince1970: Double(sinceMs) / 1000).formatted(
                                date: .omitted, time: .shortened))
                    )
                    .font(.headline)
                }
                if let last = state.value.last {
                    Text(
                        s(.lastPunch, s(last.clockedIn ? .punchIn : .punchOut)) + " · "
                            + delivery(state.value.delivery)
                    )
                    .font(.subheadline)
                }
                switch state.value.orders {
                case .idle, .loading:
                    EmptyView()
                case let .content(waitingForMe, working):
                    Text(s(.ordersWaitingWorking, waitingForMe, working)).font(.subheadline)
                case .offline:
                    Text(s(.ordersUnknownOffline)).font(.subheadline)
                case let .error(error):
                    ErrorText(error: error)
                }
                switch state.value.hours {
                case .idle, .loading, .offline:
                    EmptyView()
                case let .content(hours):
                    Text(
                        String(repeating: "★", count: Int(hours.stars))
                            + String(repeating: "☆", count: 5 - Int(hours.stars))
                    )
                    .font(.title3)
                    .accessibilityLabel(s(.starsLevel, hours.stars))
                    Text(s(.hoursMonthTotal, hourText(hours.monthHours), hourText(hours.totalHours))).font(.subheadline)
                    if let next = hours.hoursToNextStar {
                        Text(s(.toNextStar, hourText(next))).font(.caption)
                    } else {
                        Text(s(.topStar)).font(.caption)
                    }
                case let .error(error):
                    ErrorText(error: error)
                }
            }
            .accessibilityElement(children: .combine)
            .task { await model.refresh() }
        }

        private func hourText(_ hours: Double) -> String { String(format: "%.1f", hours) }

        private func delivery(_ state: OutboxState?) -> String {
            switch state {
            case .sent?: return s(.deliverySent)
            case .wedged?: return s(.deliveryAttention)
            case .notSent?, .sending?, .failed?, .discarded?, nil: return s(.deliveryWaiting)
            }
        }
    }

    // MARK: - new need

    public struct NewNeedView: View {
        private let model: NewNeedViewModel
        @StateObject private var state: Observed<NewNeedState>
        @Environment(\.strings) private var s
        /// The description box grows with the user's text size.
        @ScaledMetric(relativeTo: .body) private var editorHeight: CGFloat = 120

        private let position: Point?

        /// `position`: the latest fix, for the village picker.
        public init(model: NewNeedViewModel, position: Point? = nil) {
            self.model = model
            self.position = position
            _state = StateObject(wrappedValue: Observed(model.state))
        }

        public var body: some View {
            let form = state.value.form
            let problems = state.value.problems
            Form {
                Section(s(.requester)) {
                    TextField(
                        s(.name), text: binding({ form.requesterName }, { v in model.edit { $0.requesterName = v } }))
                    ProblemText(text: problems["requester.name"])
                    TextField(
                        s(.mobile),
                        text: binding({ form.requesterPhone }, { v in model.edit { $0.requesterPhone = v } })
                    )
                    .digitKeyboard()
                    ProblemText(text: problems["requester.phone"])
                }
                Section(s(.need)) {
                    Picker(
                        s(.category), selection: binding({ form.category }, { v in model.edit { $0.category = v } })
                    ) {
                        ForEach(model.categories, id: \.category) {
                            Text(categoryName($0.category, s)).tag($0.category)
                        }
                    }
                    TextEditor(text: binding({ form.description }, { v in model.edit { $0.description = v } }))
                        .frame(minHeight: editorHeight)
                        .accessibilityLabel(s(.description))
                    ProblemText(text: problems["description"])
                    TextField(s(.address), text: binding({ form.address }, { v in model.edit { $0.address = v } }))
                    ProblemText(text: problems["location.address"])
                    NavigationLink {
                        VillagePickerView(model: model.villagePicker(), position: position)
                    } label: {
                        LabeledContent(s(.village), value: form.areaCode.isEmpty ? s(.villageNone) : form.areaCode)
                    }
                    ProblemText(text: problems["location.area_code"])
                    if !form.attachments.isEmpty {
                        Text(s(.attachments, form.attachments.count))
                    }
                    ForEach(problems.fields.filter { $0.hasPrefix("attachments") }, id: \.self) { field in
                        ProblemText(text: problems[field])
                    }
                }
                Section {
                    Toggle(
                        s(.consent),
                        isOn: binding({ form.consentGiven }, { v in model.edit { $0.consentGiven = v } }))
                    ProblemText(text: problems["consent.given"])
                    Button(s(.submit)) { Task { await model.submit() } }
                    Button(s(.saveDraft)) { Task { await model.saveDraft() } }
                    if state.value.draftSaved { Text(s(.draftSaved)).font(.footnote) }
                    switch state.value.phase {
                    case .editing:
                        EmptyView()
                    case .submitted:
                        Text(s(.needSaved))
                    case let .error(error):
                        ErrorText(error: error)
                    }
                }
                if !state.value.drafts.isEmpty {
                    Section(s(.drafts)) {
                        ForEach(state.value.drafts, id: \.id) { draft in
                            Button {
                                model.resume(draft)
                            } label: {
                                VStack(alignment: .leading) {
                                    Text(categoryName(draft.form.category, s))
                                    Text(draft.form.description).font(.caption).lineLimit(2)
                                }
                            }
                            .accessibilityElement(children: .combine)
                            .accessibilityHint(s(.resumeDraftHint))
                            .swipeActions {
                                Button(s(.discard), role: .destructive) {
                                    Task { await model.discardDraft(id: draft.id) }
                                }
                            }
                            .accessibilityAction(named: s(.discard)) { Task { await model.discardDraft(id: draft.id) } }
                        }
                    }
                }
            }
            .task { await model.loadDrafts() }
        }
    }

    // MARK: - outbox

    public struct OutboxView: View {
        private let model: OutboxViewModel
        @StateObject private var state: Observed<OutboxScreenState>
        @Environment(\.strings) private var s

        public init(model: OutboxViewModel) {
            self.model = model
            _state = StateObject(wrappedValue: Observed(model.state))
        }

        public var body: some View {
            List {
                Section {
                    Text(s(.outboxCounts, state.value.counts.pending, state.value.counts.wedged))
                    switch state.value.sync {
                    case .idle: EmptyView()
                    case .syncing: ProgressView().accessibilityLabel(s(.loading))
                    case let .done(report): Text(s(.sentCount, report.sent))
                    case let .failed(error): ErrorText(error: error)
                    }
                    if let error = state.value.error { ErrorText(error: error) }
                }
                ForEach(state.value.entries, id: \.key) { entry in
                    VStack(alignment: .leading) {
                        Text("\(outboxKindName(entry.kind, s)) · \(outboxStateName(entry.state, s))")
                        if let error = entry.lastError { Text(error).font(.caption) }
                    }
                    .accessibilityElement(children: .combine)
                    .swipeActions {
                        if entry.state == .failed || entry.state == .wedged {
                            Button(s(.retry)) { Task { await model.retry(key: entry.key) } }
                        }
                        if entry.state != .sent {
                            Button(s(.discard), role: .destructive) { Task { await model.discard(key: entry.key) } }
                        }
                    }
                    // Swipe actions are out of VoiceOver's reach otherwise.
                    .accessibilityAction(named: s(.retry)) { Task { await model.retry(key: entry.key) } }
                    .accessibilityAction(named: s(.discard)) { Task { await model.discard(key: entry.key) } }
                }
            }
            .refreshable { await model.sync() }
            .task { await model.start() }
            .onDisappear { model.stop() }
        }
    }

    // MARK: - order offers

    public struct OrderOffersView: View {
        private let model: OrderOffersViewModel
        @StateObject private var state: Observed<OrderOffersState>
        @State private var note = ""
        @Environment(\.strings) private var s

        public init(model: OrderOffersViewModel) {
            self.model = model
            _state = StateObject(wrappedValue: Observed(model.state))
        }

        public var body: some View {
            List {
                if case let .disconnected(reason) = state.value.connection {
                    Text(s(.reconnecting, reason)).font(.footnote)
                }
                switch state.value.action {
                case .none:
                    EmptyView()
                case .working:
                    ProgressView().accessibilityLabel(s(.loading))
                case .takenBySomeoneElse:
                    Text(s(.takenBySomeoneElse))
                case let .error(error):
                    ErrorText(error: error)
                case let .done(order):
                    Section(s(.myOrderState, orderStateName(order.state, s))) {
                        if order.state == .claimed {
                            Button(s(.start)) { Task { await model.startWork(orderId: order.id) } }
                        }
                        if order.state == .inProgress {
                            TextField(s(.note), text: $note)
                            Button(s(.resolve)) { Task { await model.resolve(orderId: order.id, note: note) } }
                        }
                    }
                }
                Section(s(.offers)) {
                    if state.value.offers.isEmpty { Text(s(.noOffers)) }
                    ForEach(state.value.offers, id: \.id) { offer in
                        HStack {
                            Text(categoryName(offer.category, s) + (offer.urgent ? " · " + s(.urgent) : ""))
                            Spacer()
                            Button(s(.grab)) { Task { await model.grab(orderId: offer.id) } }
                        }
                        .accessibilityElement(children: .combine)
                        .accessibilityAction(named: s(.grab)) { Task { await model.grab(orderId: offer.id) } }
                    }
                }
                if !state.value.assigned.isEmpty {
                    Section(s(.assignedToMe)) {
                        ForEach(state.value.assigned, id: \.id) { order in
                            HStack {
                                Text(categoryName(order.category, s))
                                Spacer()
                                Button(s(.accept)) { Task { await model.accept(orderId: order.id) } }
                            }
                            .accessibilityElement(children: .combine)
                            .accessibilityAction(named: s(.accept)) { Task { await model.accept(orderId: order.id) } }
                        }
                    }
                }
            }
            .refreshable { await model.refresh() }
            .onAppear { model.start() }
            .onDisappear { model.stop() }
        }
    }

    // MARK: - my orders

    /// The orders the volunteer holds, by stage, with the holder's actions.
    public struct MyOrdersView: View {
        private let model: MyOrdersViewModel
        @StateObject private var state: Observed<MyOrdersState>
        /// The reason or note typed for each order.
        @State private var words: [String: String] = [:]
        @Environment(\.strings) private var s

        public init(model: MyOrdersViewModel) {
            self.model = model
            _state = StateObject(wrappedValue: Observed(model.state))
        }

        public var body: some View {
            List {
                switch state.value.phase {
                case .idle, .content:
                    EmptyView()
                case .loading:
                    ProgressView().accessibilityLabel(s(.loading))
                case let .offline(error):
                    Text(s(.ordersOfflineKept, error.detail)).font(.footnote)
                case let .error(error):
                    ErrorText(error: error)
                }
                switch state.value.action {
                case .none, .working:
                    EmptyView()
                case let .done(order, _):
                    Text(s(.orderDone, orderStateName(order.state, s))).font(.footnote)
                case let .error(_, error):
                    ErrorText(error: error)
                }
                if state.value.isEmpty { Text(s(.noOrders)) }
                ForEach(OrderStage.allCases, id: \.self) { stage in
                    let orders = state.value.orders(at: stage)
                    if !orders.isEmpty {
                        Section(orderStageName(stage, s)) {
                            ForEach(orders, id: \.id) { order in row(order) }
                        }
                    }
                }
            }
            .refreshable { await model.refresh() }
            .task { await model.refresh() }
        }

        @ViewBuilder private func row(_ order: OrderSummary) -> some View {
            let actions = HolderAction.allowed(in: order.state)
            let text = binding({ words[order.id] ?? "" }, { words[order.id] = $0 })
            NavigationLink {
                OrderDetailView(
                    model: OrderDetailViewModel(client: model.client, orderId: order.id),
                    downloads: FileManager.default.temporaryDirectory)
            } label: {
                VStack(alignment: .leading) {
                    Text(categoryName(order.category, s) + (order.urgent ? " · " + s(.urgent) : "")).font(.headline)
                    Text(orderStateName(order.state, s)).font(.subheadline)
                }
                .accessibilityElement(children: .combine)
            }
            .accessibilityHint(s(.openDetailHint))
            if actions.contains(.decline) {
                TextField(s(.declineReason), text: text)
            } else if actions.contains(.resolve) {
                TextField(s(.resolveNote), text: text)
            }
            HStack {
                ForEach(actions, id: \.self) { action in
                    Button(holderActionName(action, s)) { Task { await run(action, order.id) } }
                        .buttonStyle(.bordered)
                        .disabled(state.value.action == .working(orderId: order.id, action))
                }
            }
        }

        private func run(_ action: HolderAction, _ orderId: String) async {
            let typed = words[orderId] ?? ""
            switch action {
            case .accept: await model.accept(orderId: orderId)
            case .decline: await model.decline(orderId: orderId, reason: typed)
            case .start: await model.start(orderId: orderId)
            case .resolve: await model.resolve(orderId: orderId, note: typed)
            }
        }
    }

    // MARK: - order detail

    /// The order's need for its holder: what happened, where, the photos
    /// and files (downloaded on a tap), and the requester's contact read
    /// with a reason.
    public struct OrderDetailView: View {
        private let model: OrderDetailViewModel
        private let downloads: URL
        @StateObject private var state: Observed<OrderDetailState>
        @State private var reason = ""
        @Environment(\.strings) private var s

        /// `downloads`: the folder attachments are saved in (the app's caches).
        public init(model: OrderDetailViewModel, downloads: URL) {
            self.model = model
            self.downloads = downloads
            _state = StateObject(wrappedValue: Observed(model.state))
        }

        public var body: some View {
            List {
                switch state.value.phase {
                case .idle, .loading:
                    ProgressView().accessibilityLabel(s(.loading))
                case let .refused(error):
                    Text(s(.detailRefused)).font(.headline)
                    Text(error.detail).font(.footnote)
                case let .offline(error):
                    Text(s(.offlineBanner, error.detail))
                    Button(s(.retry)) { Task { await model.load() } }
                case let .error(error):
                    ErrorText(error: error)
                    Button(s(.retry)) { Task { await model.load() } }
                case let .content(detail):
                    Section(categoryName(detail.category, s)) {
                        Text(orderStateName(detail.order.state, s)).font(.subheadline)
                        Text(detail.description)
                        VStack(alignment: .leading) {
                            Text(detail.areaName ?? detail.areaCode).font(.subheadline)
                            Text(detail.address).font(.caption)
                        }
                        .accessibilityElement(children: .combine)
                    }
                    if !detail.attachments.isEmpty {
                        Section(s(.attachments, detail.attachments.count)) {
                            ForEach(detail.attachments, id: \.id) { file in attachment(file) }
                        }
                    }
                    Section(s(.contact)) { contact }
                }
            }
            .refreshable { await model.load() }
            .task { await model.load() }
        }

        @ViewBuilder private func attachment(_ file: OrderAttachment) -> some View {
            HStack {
                Text(
                    "\(file.contentType) · \(ByteCountFormatter.string(fromByteCount: Int64(file.sizeBytes), countStyle: .file))"
                )
                Spacer()
                switch state.value.attachments[file.id] ?? .notDownloaded {
                case .notDownloaded, .failed:
                    Button {
                        Task { await model.download(file.id, into: downloads) }
                    } label: {
                        Image(systemName: "arrow.down.circle")
                    }
                    .accessibilityLabel(s(.download))
                    .accessibilityHint(file.contentType)
                case .downloading:
                    ProgressView().accessibilityLabel(s(.loading))
                case let .saved(path, _):
                    ShareLink(item: URL(fileURLWithPath: path)) {
                        Image(systemName: "square.and.arrow.up")
                    }
                    .accessibilityLabel(s(.openFile))
                }
            }
            .accessibilityElement(children: .contain)
            if case let .failed(error) = state.value.attachments[file.id] { ErrorText(error: error) }
        }

        @ViewBuilder private var contact: some View {
            switch state.value.contact {
            case .notRead, .error:
                TextField(s(.contactReason), text: $reason)
                Button(s(.readContact)) { Task { await model.readContact(reason: reason) } }
                if case let .error(error) = state.value.contact { ErrorText(error: error) }
            case .reading:
                ProgressView().accessibilityLabel(s(.loading))
            case let .read(contact):
                Text(contact.name)
                if let call = PlaceHandoffs.dialURL(contact.phone) {
                    Link(contact.phone, destination: call).accessibilityHint(s(.callHint))
                } else {
                    Text(contact.phone)
                }
            }
        }
    }

    // MARK: - village picker

    /// The need's village or community: from the fix, or searched by name.
    public struct VillagePickerView: View {
        private let model: VillagePickerViewModel
        private let position: Point?
        @StateObject private var state: Observed<VillagePickerState>
        @Environment(\.strings) private var s

        public init(model: VillagePickerViewModel, position: Point?) {
            self.model = model
            self.position = position
            _state = StateObject(wrappedValue: Observed(model.state))
        }

        public var body: some View {
            List {
                Section {
                    if let picked = state.value.picked {
                        Text(s(.villagePicked, picked.streetName, picked.name)).font(.headline)
                    }
                    if let position {
                        Button {
                            Task { await model.locate(at: position) }
                        } label: {
                            Label(s(.useMyLocation), systemImage: "location")
                        }
                    }
                    switch state.value.located {
                    case .idle, .found: EmptyView()
                    case .notFound: Text(s(.villageNotFound)).font(.footnote)
                    case let .error(error): ErrorText(error: error)
                    }
                }
                Section {
                    TextField(
                        s(.searchVillage),
                        text: binding({ state.value.search }, { text in Task { await model.search(text) } }))
                    switch state.value.list {
                    case .idle:
                        EmptyView()
                    case let .content(villages):
                        if villages.isEmpty { Text(s(.noVillages)) }
                        ForEach(villages, id: \.code) { village in
                            Button {
                                model.pick(village)
                            } label: {
                                VStack(alignment: .leading) {
                                    Text(village.name)
                                    Text(village.streetName).font(.caption)
                                }
                            }
                            .accessibilityElement(children: .combine)
                            .accessibilityAddTraits(village == state.value.picked ? .isSelected : [])
                        }
                    case let .error(error):
                        ErrorText(error: error)
                    }
                }
            }
            .task { await model.search(state.value.search) }
        }
    }

    // MARK: - rate

    public struct RateView: View {
        private let model: RatingViewModel
        @StateObject private var state: Observed<RatingState>
        @Environment(\.strings) private var s

        public init(model: RatingViewModel) {
            self.model = model
            _state = StateObject(wrappedValue: Observed(model.state))
        }

        public var body: some View {
            Form {
                HStack {
                    ForEach(1...5, id: \.self) { star in
                        Button {
                            model.setScore(star)
                        } label: {
                            Image(systemName: star <= (state.value.score ?? 0) ? "star.fill" : "star")
                                .imageScale(.large)
                        }
                        .buttonStyle(.borderless)
                        .accessibilityLabel(s(.star, star))
                        .accessibilityHint(s(.starHint))
                        .accessibilityAddTraits(star == state.value.score ? .isSelected : [])
                    }
                }
                TextField(s(.comment), text: binding({ state.value.comment }, { model.setComment($0) }))
                switch state.value.phase {
                case .editing:
                    Button(s(.submit)) { Task { await model.submit() } }
                case .sending:
                    ProgressView().accessibilityLabel(s(.loading))
                case .rated:
                    Text(s(.thankYou))
                case let .error(error):
                    if error.kind == .conflict {
                        Text(s(.alreadyRated)).foregroundColor(.red)
                    } else {
                        ErrorText(error: error)
                    }
                    Button(s(.submit)) { Task { await model.submit() } }
                }
            }
        }
    }

    // MARK: - application forms (drawn from the schema)

    public struct ApplicationFormView: View {
        private let model: ApplicationFormViewModel
        private let contact: NeedForm
        @StateObject private var state: Observed<ApplicationFormState>
        @Environment(\.strings) private var s

        /// `contact`: the requester, consent and area the application is filed
        /// with (e.g. the new-need screen's form).
        public init(model: ApplicationFormViewModel, contact: NeedForm) {
            self.model = model
            self.contact = contact
            _state = StateObject(wrappedValue: Observed(model.state))
        }

        public var body: some View {
            if let open = state.value.open {
                Form {
                    Section(s.pick(open.form.titleZh, open.form.titleEn)) {
                        Text(s.pick(open.form.descriptionZh, open.form.descriptionEn)).font(.footnote)
                    }
                    ForEach(open.fields, id: \.code) { field in
                        Section {
                            FormFieldView(field: field, model: model)
                        }
                    }
                    if let assessment = open.assessment {
                        Section(s(.preAssessment, verdictName(assessment.verdict, s))) {
                            ForEach(assessment.reasons, id: \.self) { Text($0).font(.caption) }
                            ForEach(assessment.missingDocuments, id: \.kind) { doc in
                                Text(s(.missingDocument, s.pick(doc.nameZh, doc.nameEn)))
                            }
                        }
                    }
                    Section {
                        ForEach(open.needProblems.fields, id: \.self) {
                            ProblemText(text: "\($0): \(open.needProblems[$0] ?? "")")
                        }
                        Button(s(.submitApplication)) { Task { await model.submit(as: contact) } }
                        if case .submitted = open.phase { Text(s(.needSaved)) }
                        if case let .error(error) = open.phase { ErrorText(error: error) }
                    }
                }
            } else {
                List {
                    switch state.value.forms {
                    case .loading:
                        ProgressView().accessibilityLabel(s(.loading))
                    case let .error(error):
                        ErrorText(error: error)
                    case let .content(forms):
                        ForEach(forms, id: \.serviceCode) { form in
                            Button(s.pick(form.titleZh, form.titleEn)) {
                                model.open(serviceCode: form.serviceCode)
                            }
                        }
                    }
                }
                .task { await model.loadForms() }
            }
        }
    }

    /// One field, drawn by its widget, labelled in the user's language.
    private struct FormFieldView: View {
        let field: FormFieldState
        let model: ApplicationFormViewModel
        @Environment(\.strings) private var s
        @ScaledMetric(relativeTo: .body) private var editorHeight: CGFloat = 100

        private static let day: DateFormatter = {
            let f = DateFormatter()
            f.calendar = Calendar(identifier: .gregorian)
            f.locale = Locale(identifier: "en_US_POSIX")
            f.dateFormat = "yyyy-MM-dd"
            return f
        }()

        var body: some View {
            let spec = field.spec
            let label = s.pick(spec.labelZh, spec.labelEn)
            let text = binding({ field.raw }, { model.answer(field: field.code, raw: $0) })
            VStack(alignment: .leading) {
                Text(label + (spec.required ? " *" : "")).font(.subheadline)
                switch field.widget {
                case .textInput:
                    TextField(label, text: text)
                case .textArea:
                    TextEditor(text: text).frame(minHeight: editorHeight).accessibilityLabel(label)
                case .numberInput:
                    TextField(label, text: text).digitKeyboard()
                case .datePicker:
                    DatePicker(
                        label,
                        selection: binding(
                            { Self.day.date(from: field.raw) ?? Date() },
                            { model.answer(field: field.code, raw: Self.day.string(from: $0)) }),
                        displayedComponents: .date)
                case .singleSelect:
                    Picker(label, selection: text) {
                        Text("—").tag("")
                        ForEach(spec.choices, id: \.key) { Text(s.pick($0.labelZh, $0.labelEn)).tag($0.key) }
                    }
                case .multiSelect:
                    ForEach(spec.choices, id: \.key) { choice in
                        Toggle(
                            s.pick(choice.labelZh, choice.labelEn),
                            isOn: binding(
                                { field.selected.contains(choice.key) },
                                { _ in model.toggle(field: field.code, key: choice.key) }))
                    }
                case .info:
                    EmptyView()
                }
                if !spec.helpZh.isEmpty { Text(s.pick(spec.helpZh, spec.helpEn)).font(.caption) }
                ProblemText(text: field.problem)
            }
        }
    }

    // MARK: - compensation calculators

    /// The four calculators on one screen: the picker, the form of the
    /// picked one, each field's refusal under it, then the estimate.
    public struct CompensationCalculatorView: View {
        private let model: CompensationCalculatorViewModel
        @StateObject private var state: Observed<CompensationCalculatorState>
        @Environment(\.strings) private var s

        public init(model: CompensationCalculatorViewModel) {
            self.model = model
            _state = StateObject(wrappedValue: Observed(model.state))
        }

        public var body: some View {
            let value = state.value
            let form = value.form
            Form {
                Picker(s(.titleCalculators), selection: binding({ value.calculator }, { model.select($0) })) {
                    ForEach(compensationCalculators, id: \.self) { Text(calculatorName($0, s)).tag($0) }
                }
                Section {
                    // The year is picked among the table's years, never typed.
                    Picker(
                        s(.calcYear),
                        selection: binding({ UInt16(form.year) ?? 0 }, { model.selectYear($0) })
                    ) {
                        ForEach(value.yearChoices, id: \.self) { Text(String($0)).tag($0) }
                    }
                    ProblemText(text: value.problem("year", s))
                    switch value.calculator {
                    case .personalInjury, .trafficAccident:
                        injuryFields(form)
                        if value.calculator == .trafficAccident {
                            field(.calcFaultShare, "fault_share_percent", { $0.faultSharePercent }) {
                                $0.faultSharePercent = $1
                            }
                            field(.calcPropertyLoss, "property_loss", { $0.propertyLoss }, { $0.propertyLoss = $1 })
                        }
                    case .workInjury:
                        Picker(
                            s(.calcOutcome),
                            selection: binding({ form.workOutcome }, { v in model.edit { $0.workOutcome = v } })
                        ) {
                            ForEach(WorkInjuryOutcomeChoice.allCases, id: \.self) {
                                Text(workOutcomeName($0, s)).tag($0)
                            }
                        }
                        if form.workOutcome == .disability {
                            field(.calcGrade, "outcome.grade", { $0.disabilityGrade }, { $0.disabilityGrade = $1 })
                            field(.calcMonthlyWage, "monthly_wage", { $0.monthlyWage }, { $0.monthlyWage = $1 })
                        }
                    case .severance:
                        field(.calcMonthlyWage, "monthly_wage", { $0.monthlyWage }, { $0.monthlyWage = $1 })
                        field(.calcMonthsOfService, "months_of_service", { $0.monthsOfService }) {
                            $0.monthsOfService = $1
                        }
                        Picker(
                            s(.calcTermination),
                            selection: binding({ form.termination }, { v in model.edit { $0.termination = v } })
                        ) {
                            ForEach([Termination.lawful, .lawfulInLieuOfNotice, .unlawful], id: \.self) {
                                Text(terminationName($0, s)).tag($0)
                            }
                        }
                        if form.termination == .lawfulInLieuOfNotice {
                            field(
                                .calcLastMonthWage, "last_month_wage", { $0.lastMonthWage }, { $0.lastMonthWage = $1 })
                        }
                    }
                    Button(s(.calculate)) { Task { await model.calculate() } }
                }
                switch value.phase {
                case .editing:
                    EmptyView()
                case .calculating:
                    ProgressView().accessibilityLabel(s(.loading))
                case let .error(error):
                    Text(compensationProblem(error, s)).foregroundColor(.red)
                        .accessibilityLabel(s(.errorPrefix, compensationProblem(error, s)))
                case let .result(breakdown):
                    BreakdownView(breakdown: breakdown)
                }
            }
            // The library writes the estimate's words: in the app's language.
            .task(id: s.language) { await model.setLanguage(s.language) }
        }

        @ViewBuilder
        private func injuryFields(_ form: CompensationForm) -> some View {
            field(.calcAge, "age", { $0.age }, { $0.age = $1 })
            Picker(
                s(.calcOutcome),
                selection: binding({ form.injuryOutcome }, { v in model.edit { $0.injuryOutcome = v } })
            ) {
                ForEach(InjuryOutcomeChoice.allCases, id: \.self) { Text(injuryOutcomeName($0, s)).tag($0) }
            }
            if form.injuryOutcome == .disability {
                field(.calcGrade, "outcome.grade", { $0.disabilityGrade }, { $0.disabilityGrade = $1 })
            }
            // Dependants count on disability or death; ones typed before the
            // outcome changed to "injured" stay visible, so the refusal that
            // names them can be fixed.
            if form.injuryOutcome != .injury || !form.dependants.isEmpty {
                ForEach(form.dependants.indices, id: \.self) { n in
                    Text(s(.calcDependantHeading, n + 1)).font(.headline)
                    dependantField(n, .calcDependantAge, "age", { $0.age }, { $0.age = $1 })
                    dependantField(n, .calcObligedPersons, "obliged_persons", { $0.obligedPersons }) {
                        $0.obligedPersons = $1
                    }
                    TextField(
                        s(.calcDependantLabel),
                        text: binding({ form.dependants[n].label }, { v in model.edit { $0.dependants[n].label = v } }))
                    Button(s(.calcRemove), role: .destructive) { model.removeDependant(at: n) }
                }
                ProblemText(text: state.value.problem("dependants", s))
                Button(s(.calcAddDependant)) { model.addDependant() }
            }
            Text(s(.calcItems)).font(.headline)
            ForEach(CompensationItem.allCases, id: \.self) { item in
                TextField(
                    compensationItemName(item, s),
                    text: binding({ form.items[item] ?? "" }, { v in model.edit { $0.items[item] = v } })
                )
                .digitKeyboard()
                ProblemText(text: state.value.problem("items.\(item.rawValue)", s))
            }
        }

        /// A text field of the form with its refusal under it.
        @ViewBuilder
        private func field(
            _ label: TextKey, _ name: String, _ get: @escaping (CompensationForm) -> String,
            _ set: @escaping (inout CompensationForm, String) -> Void
        ) -> some View {
            TextField(s(label), text: binding({ get(state.value.form) }, { v in model.edit { set(&$0, v) } }))
                .digitKeyboard()
            ProblemText(text: state.value.problem(name, s))
        }

        @ViewBuilder
        private func dependantField(
            _ n: Int, _ label: TextKey, _ name: String, _ get: @escaping (DependantInput) -> String,
            _ set: @escaping (inout DependantInput, String) -> Void
        ) -> some View {
            TextField(
                s(label),
                text: binding(
                    { state.value.form.dependants.indices.contains(n) ? get(state.value.form.dependants[n]) : "" },
                    { v in model.edit { if $0.dependants.indices.contains(n) { set(&$0.dependants[n], v) } } })
            )
            .digitKeyboard()
            ProblemText(text: state.value.problem("dependants[\(n)].\(name)", s))
        }
    }

    /// An estimate: each line with its formula and amount, the totals, the
    /// legal basis, the notes and the disclaimer, as the library gives them.
    private struct BreakdownView: View {
        let breakdown: CompensationBreakdown
        @Environment(\.strings) private var s

        var body: some View {
            Section {
                ForEach(Array(breakdown.lines.enumerated()), id: \.offset) { _, line in
                    VStack(alignment: .leading) {
                        LabeledContent(line.item, value: s(.calcYuan, line.amount))
                        Text(line.formula).font(.caption)
                    }
                    .accessibilityElement(children: .combine)
                    .foregroundColor(line.kind == .payment ? .accentColor : .primary)
                }
                Text(s(.calcItemsTotal, breakdown.itemsTotal))
                Text(s(.calcTotal, breakdown.total)).font(.headline)
            }
            Section(s(.calcLegalBasis)) {
                ForEach(breakdown.legalBasis, id: \.self) { Text($0).font(.caption) }
            }
            Section(s(.calcNotes)) {
                ForEach(breakdown.notes + [breakdown.rounding], id: \.self) { Text($0).font(.caption) }
                Text(breakdown.disclaimer).font(.caption).foregroundColor(.secondary)
            }
        }
    }

    // MARK: - my needs

    /// The needs the user filed, newest as the server lists them: category,
    /// its order's state, when it was filed; a rateable one opens the
    /// rating screen.
    public struct MyNeedsView: View {
        private let model: MyNeedsViewModel
        @StateObject private var state: Observed<MyNeedsState>
        @Environment(\.strings) private var s

        public init(model: MyNeedsViewModel) {
            self.model = model
            _state = StateObject(wrappedValue: Observed(model.state))
        }

        public var body: some View {
            List {
                if state.value.loading { ProgressView().accessibilityLabel(s(.loading)) }
                if let error = state.value.error {
                    if state.value.needs.isEmpty {
                        ErrorText(error: error)
                    } else {
                        Text(s(.needsOfflineKept, error.text(s))).font(.footnote)
                    }
                }
                if state.value.needs.isEmpty && !state.value.loading && state.value.error == nil {
                    Text(s(.noNeeds))
                }
                ForEach(state.value.needs, id: \.id) { need in
                    VStack(alignment: .leading) {
                        Text(categoryName(need.category, s)).font(.headline)
                        Text(orderStateName(need.orderState, s)).font(.subheadline)
                        Text(
                            s(
                                .needReceived,
                                Date(timeIntervalSince1970: TimeInterval(need.receivedAtMs) / 1000)
                                    .formatted(date: .abbreviated, time: .shortened))
                        )
                        .font(.caption)
                        if !need.history.isEmpty {
                            Text(s(.needHistory)).font(.caption.bold())
                            ForEach(Array(need.history.enumerated()), id: \.offset) { _, step in
                                Text(
                                    Date(timeIntervalSince1970: TimeInterval(step.atMs) / 1000)
                                        .formatted(date: .omitted, time: .shortened)
                                        + "  " + needStepName(step.what, s)
                                )
                                .font(.caption)
                            }
                        }
                        if let rating = model.rating(for: need) {
                            NavigationLink(s(.rateService)) { RateView(model: rating) }
                        }
                    }
                    .accessibilityElement(children: .contain)
                }
            }
            .refreshable { await model.refresh() }
            .task { await model.refresh() }
        }
    }
#endif
