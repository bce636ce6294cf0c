// SwiftUI screens: thin renderings of the view models, built only where
// SwiftUI exists (Xcode), never on Linux.
#if canImport(SwiftUI)
    import SwiftUI
    import LawCircleFFI

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

    public struct ConnectivityBanner: View {
        @StateObject private var state: Observed<ConnectivityState>

        public init(model: ConnectivityViewModel) {
            _state = StateObject(wrappedValue: Observed(model.state))
        }

        public var body: some View {
            switch state.value {
            case .unknown, .online:
                EmptyView()
            case let .offline(reason):
                Text("离线 Offline: \(reason)").font(.footnote).padding(8)
            }
        }
    }

    public struct DistanceView: View {
        private let model: DistanceViewModel
        @StateObject private var state: Observed<DistanceState>

        public init(model: DistanceViewModel) {
            self.model = model
            _state = StateObject(wrappedValue: Observed(model.state))
        }

        public var body: some View {
            switch state.value {
            case .incomplete:
                Text("Pick a place on the map")
            case let .measured(meters, minutes, within):
                VStack {
                    Text("\(Int(meters.rounded())) m · \(minutes) min on foot")
                    Text(within ? "Within the 15-minute circle" : "Beyond the 15-minute walk")
                }
            case let .invalid(error):
                Text(error.message).foregroundColor(.red)
            }
        }
    }

    // MARK: - helpers

    /// A two-way binding whose writes go through a view-model intent.
    private func binding<T>(_ get: @escaping () -> T, _ set: @escaping (T) -> Void) -> Binding<T> {
        Binding(get: get, set: set)
    }

    /// A field's problem from the core, under the field.
    private struct ProblemText: View {
        let text: String?

        var body: some View {
            if let text {
                Text(text).font(.caption).foregroundColor(.red)
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

    private func metres(_ m: Double?) -> String {
        guard let m else { return "–" }
        return m < 1000 ? "\(Int(m.rounded())) m" : String(format: "%.1f km", m / 1000)
    }

    // MARK: - find nearest

    public struct FindNearestView: View {
        private let model: FindNearestViewModel
        private let position: Point?
        @StateObject private var state: Observed<FindNearestState>
        @StateObject private var catalogue: Observed<CatalogueState>
        @State private var product = ""

        public init(model: FindNearestViewModel, position: Point?) {
            self.model = model
            self.position = position
            _state = StateObject(wrappedValue: Observed(model.state))
            _catalogue = StateObject(wrappedValue: Observed(model.catalogue))
        }

        public var body: some View {
            List {
                Section {
                    Picker("服务 Service", selection: $product) {
                        Text("全部 All").tag("")
                        Text("调解 Mediation").tag("mediation")
                        Text("法律援助 Legal aid").tag("legal_aid")
                        Text("法律咨询 Consultation").tag("consultation")
                    }
                    .pickerStyle(.segmented)
                    .onChange(of: product) { p in model.setFilters(products: p.isEmpty ? [] : [p]) }
                    if case let .offline(status, _) = catalogue.value {
                        Text("离线数据 Offline copy: \(status.facilities)").font(.footnote)
                    }
                }
                switch state.value {
                case .idle:
                    Text("等待定位 Waiting for your position")
                case let .error(error):
                    Text(error.message).foregroundColor(.red)
                case let .content(result):
                    Section(result.estimated ? "步行距离为估算 Walks estimated" : "步行距离 Walking distance") {
                        ForEach(result.places, id: \.facilityId) { place in
                            VStack(alignment: .leading) {
                                Text(place.name).font(.headline)
                                Text(place.kindName).font(.subheadline)
                                Text(place.address).font(.caption)
                                Text(
                                    "\(metres(place.walkingM)) · \(Int((place.walkingMinutes ?? 0).rounded())) min"
                                        + (place.withinCircle ? " · 15分钟圈内" : "")
                                )
                                .font(.caption)
                            }
                        }
                    }
                    Section("所在位置覆盖 Coverage here: \(result.coverage.covered)/\(result.coverage.total)") {
                        ForEach(result.coverage.products, id: \.product) { p in
                            HStack {
                                Text(p.productName)
                                Spacer()
                                Image(systemName: p.covered ? "checkmark.circle" : "xmark.circle")
                            }
                        }
                    }
                }
            }
            .refreshable { await model.refreshCatalogue() }
            .task {
                await model.refreshCatalogue()
                if let position { model.search(at: position) }
            }
        }
    }

    // MARK: - clock in

    public struct ClockInView: View {
        private let model: ClockInViewModel
        private let position: Point?
        @StateObject private var state: Observed<ClockInState>

        public init(model: ClockInViewModel, position: Point?) {
            self.model = model
            self.position = position
            _state = StateObject(wrappedValue: Observed(model.state))
        }

        public var body: some View {
            List {
                switch state.value.posts {
                case .loading:
                    ProgressView()
                case let .error(error):
                    Text(error.message).foregroundColor(.red)
                case let .content(posts):
                    Section("值守点位 Duty posts") {
                        ForEach(posts, id: \.id) { post in
                            Button {
                                model.select(postId: post.id)
                            } label: {
                                HStack {
                                    Text(post.name)
                                    Spacer()
                                    if post.id == state.value.selectedPostId { Image(systemName: "checkmark") }
                                }
                            }
                        }
                    }
                }
                Section {
                    if let live = state.value.live {
                        Text(verdict(live.verdict)).font(.headline)
                    } else if let error = state.value.liveError {
                        Text(error.message).foregroundColor(.red)
                    } else {
                        Text("等待定位 Waiting for a fix")
                    }
                    HStack {
                        Button("签到 Clock in") { Task { await model.clockIn(.in) } }
                        Spacer()
                        Button("签退 Clock out") { Task { await model.clockIn(.out) } }
                    }
                    switch state.value.outcome {
                    case .none:
                        EmptyView()
                    case .punching:
                        ProgressView()
                    case let .punched(_, receipt):
                        Text(
                            "已记录 Recorded: \(verdict(receipt.check.verdict))"
                                + (receipt.offline ? " · 离线，联网后发送 sent when online" : ""))
                    case let .error(error):
                        Text(error.message).foregroundColor(.red)
                    }
                }
            }
            .task { await model.refresh(near: position) }
        }

        private func verdict(_ v: FenceVerdict) -> String {
            switch v {
            case .inside: return "在范围内 Inside the fence"
            case .outside: return "不在范围内 Outside the fence"
            case .uncertain: return "无法确定 Uncertain: staff will review"
            }
        }
    }

    // MARK: - new need

    public struct NewNeedView: View {
        private let model: NewNeedViewModel
        @StateObject private var state: Observed<NewNeedState>

        public init(model: NewNeedViewModel) {
            self.model = model
            _state = StateObject(wrappedValue: Observed(model.state))
        }

        public var body: some View {
            let form = state.value.form
            let problems = state.value.problems
            Form {
                Section("申请人 Requester") {
                    TextField(
                        "姓名 Name", text: binding({ form.requesterName }, { v in model.edit { $0.requesterName = v } }))
                    ProblemText(text: problems["requester.name"])
                    TextField(
                        "手机 Mobile",
                        text: binding({ form.requesterPhone }, { v in model.edit { $0.requesterPhone = v } })
                    )
                    .digitKeyboard()
                    ProblemText(text: problems["requester.phone"])
                }
                Section("需求 Need") {
                    Picker(
                        "类别 Category", selection: binding({ form.category }, { v in model.edit { $0.category = v } })
                    ) {
                        ForEach(model.categories, id: \.category) { Text($0.name).tag($0.category) }
                    }
                    TextEditor(text: binding({ form.description }, { v in model.edit { $0.description = v } }))
                        .frame(minHeight: 120)
                    ProblemText(text: problems["description"])
                    TextField("地址 Address", text: binding({ form.address }, { v in model.edit { $0.address = v } }))
                    ProblemText(text: problems["location.address"])
                    if !form.attachments.isEmpty {
                        Text("附件 Attachments: \(form.attachments.count)")
                    }
                    ForEach(problems.fields.filter { $0.hasPrefix("attachments") }, id: \.self) { field in
                        ProblemText(text: problems[field])
                    }
                }
                Section {
                    Toggle(
                        "同意个人信息告知 I agree to the notice",
                        isOn: binding({ form.consentGiven }, { v in model.edit { $0.consentGiven = v } }))
                    ProblemText(text: problems["consent.given"])
                    Button("提交 Submit") { Task { await model.submit() } }
                    switch state.value.phase {
                    case .editing:
                        EmptyView()
                    case .submitted:
                        Text("已保存，联网后自动发送 Saved; sent when online")
                    case let .error(error):
                        Text(error.message).foregroundColor(.red)
                    }
                }
            }
        }
    }

    // MARK: - outbox

    public struct OutboxView: View {
        private let model: OutboxViewModel
        @StateObject private var state: Observed<OutboxScreenState>

        public init(model: OutboxViewModel) {
            self.model = model
            _state = StateObject(wrappedValue: Observed(model.state))
        }

        public var body: some View {
            List {
                Section {
                    Text("待发送 Waiting \(state.value.counts.pending) · 需处理 Attention \(state.value.counts.wedged)")
                    switch state.value.sync {
                    case .idle: EmptyView()
                    case .syncing: ProgressView()
                    case let .done(report): Text("已发送 Sent \(report.sent)")
                    case let .failed(error): Text(error.message).foregroundColor(.red)
                    }
                    if let error = state.value.error { Text(error.message).foregroundColor(.red) }
                }
                ForEach(state.value.entries, id: \.key) { entry in
                    VStack(alignment: .leading) {
                        Text("\(String(describing: entry.kind)) · \(String(describing: entry.state))")
                        if let error = entry.lastError { Text(error).font(.caption) }
                    }
                    .swipeActions {
                        if entry.state == .failed || entry.state == .wedged {
                            Button("重试 Retry") { Task { await model.retry(key: entry.key) } }
                        }
                        if entry.state != .sent {
                            Button("放弃 Discard", role: .destructive) { Task { await model.discard(key: entry.key) } }
                        }
                    }
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

        public init(model: OrderOffersViewModel) {
            self.model = model
            _state = StateObject(wrappedValue: Observed(model.state))
        }

        public var body: some View {
            List {
                if case let .disconnected(reason) = state.value.connection {
                    Text("连接中断 Reconnecting: \(reason)").font(.footnote)
                }
                switch state.value.action {
                case .none:
                    EmptyView()
                case .working:
                    ProgressView()
                case let .takenBySomeoneElse(orderId):
                    Text("已被他人抢单 Taken by someone else (\(orderId))")
                case let .error(error):
                    Text(error.message).foregroundColor(.red)
                case let .done(order):
                    Section("我的工单 My order \(order.id): \(orderStateName(order.state))") {
                        if order.state == .claimed || order.state == .assigned {
                            Button("开始 Start") { Task { await model.startWork(orderId: order.id) } }
                        }
                        if order.state == .inProgress {
                            TextField("处理说明 Note", text: $note)
                            Button("办结 Resolve") { Task { await model.resolve(orderId: order.id, note: note) } }
                        }
                    }
                }
                Section("可抢工单 Offers") {
                    ForEach(state.value.offers, id: \.id) { offer in
                        HStack {
                            Text(categoryName(offer.category) + (offer.urgent ? " · 紧急" : ""))
                            Spacer()
                            Button("抢单 Grab") { Task { await model.grab(orderId: offer.id) } }
                        }
                    }
                }
                if !state.value.assigned.isEmpty {
                    Section("派给我的 Assigned to me") {
                        ForEach(state.value.assigned, id: \.id) { order in
                            HStack {
                                Text(categoryName(order.category))
                                Spacer()
                                Button("接受 Accept") { Task { await model.accept(orderId: order.id) } }
                            }
                        }
                    }
                }
            }
            .refreshable { await model.refresh() }
            .onAppear { model.start() }
            .onDisappear { model.stop() }
        }
    }

    // MARK: - rate

    public struct RateView: View {
        private let model: RatingViewModel
        @StateObject private var state: Observed<RatingState>

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
                        }
                        .buttonStyle(.borderless)
                    }
                }
                TextField("评价 Comment", text: binding({ state.value.comment }, { model.setComment($0) }))
                switch state.value.phase {
                case .editing:
                    Button("提交 Submit") { Task { await model.submit() } }
                case .sending:
                    ProgressView()
                case .rated:
                    Text("感谢评价 Thank you")
                case let .error(error):
                    Text(error.kind == .conflict ? "已评价过 Already rated" : error.message).foregroundColor(.red)
                    Button("提交 Submit") { Task { await model.submit() } }
                }
            }
        }
    }

    // MARK: - application forms (drawn from the schema)

    public struct ApplicationFormView: View {
        private let model: ApplicationFormViewModel
        private let contact: NeedForm
        @StateObject private var state: Observed<ApplicationFormState>

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
                    Section(open.form.titleZh) {
                        Text(open.form.descriptionZh).font(.footnote)
                    }
                    ForEach(open.fields, id: \.code) { field in
                        Section {
                            FormFieldView(field: field, model: model)
                        }
                    }
                    if let assessment = open.assessment {
                        Section("资格预判 Pre-assessment: \(verdictName(assessment.verdict))") {
                            ForEach(assessment.reasons, id: \.self) { Text($0).font(.caption) }
                            ForEach(assessment.missingDocuments, id: \.kind) { doc in
                                Text("待提交 Missing: \(doc.nameZh)")
                            }
                        }
                    }
                    Section {
                        ForEach(open.needProblems.fields, id: \.self) {
                            ProblemText(text: "\($0): \(open.needProblems[$0] ?? "")")
                        }
                        Button("提交申请 Submit") { Task { await model.submit(as: contact) } }
                        if case .submitted = open.phase { Text("已保存，联网后自动发送 Saved; sent when online") }
                        if case let .error(error) = open.phase { Text(error.message).foregroundColor(.red) }
                    }
                }
            } else {
                List {
                    switch state.value.forms {
                    case .loading:
                        ProgressView()
                    case let .error(error):
                        Text(error.message).foregroundColor(.red)
                    case let .content(forms):
                        ForEach(forms, id: \.serviceCode) { form in
                            Button(form.titleZh) { model.open(serviceCode: form.serviceCode) }
                        }
                    }
                }
                .task { await model.loadForms() }
            }
        }
    }

    /// One field, drawn by its widget.
    private struct FormFieldView: View {
        let field: FormFieldState
        let model: ApplicationFormViewModel

        private static let day: DateFormatter = {
            let f = DateFormatter()
            f.calendar = Calendar(identifier: .gregorian)
            f.locale = Locale(identifier: "en_US_POSIX")
            f.dateFormat = "yyyy-MM-dd"
            return f
        }()

        var body: some View {
            let spec = field.spec
            let text = binding({ field.raw }, { model.answer(field: field.code, raw: $0) })
            VStack(alignment: .leading) {
                Text(spec.labelZh + (spec.required ? " *" : "")).font(.subheadline)
                switch field.widget {
                case .textInput:
                    TextField(spec.labelEn, text: text)
                case .textArea:
                    TextEditor(text: text).frame(minHeight: 100)
                case .numberInput:
                    TextField(spec.labelEn, text: text).digitKeyboard()
                case .datePicker:
                    DatePicker(
                        spec.labelEn,
                        selection: binding(
                            { Self.day.date(from: field.raw) ?? Date() },
                            { model.answer(field: field.code, raw: Self.day.string(from: $0)) }),
                        displayedComponents: .date)
                case .singleSelect:
                    Picker(spec.labelEn, selection: text) {
                        Text("—").tag("")
                        ForEach(spec.choices, id: \.key) { Text($0.labelZh).tag($0.key) }
                    }
                case .multiSelect:
                    ForEach(spec.choices, id: \.key) { choice in
                        Toggle(
                            choice.labelZh,
                            isOn: binding(
                                { field.selected.contains(choice.key) },
                                { _ in model.toggle(field: field.code, key: choice.key) }))
                    }
                case .info:
                    EmptyView()
                }
                if !spec.helpZh.isEmpty { Text(spec.helpZh).font(.caption) }
                ProblemText(text: field.problem)
            }
        }
    }
#endif
