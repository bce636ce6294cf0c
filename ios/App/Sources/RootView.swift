// Navigation: the sign-in screen until signed in, then the home of the
// account's role as tabs. Layout only; the state is the view models'.
import LawCircle
import LawCircleFFI
import SwiftUI

struct RootView: View {
    let session: AppSession

    var body: some View {
        if let home = session.home, let client = session.client {
            HomeTabs(home: home, client: client, signOut: { await session.signIn.signOut() })
        } else {
            SignInView(model: session.signIn)
        }
    }
}

struct HomeTabs: View {
    let home: Home
    let client: LawCircleClient
    let signOut: () async -> Void
    @Environment(\.strings) private var s

    var body: some View {
        TabView {
            NavigationStack {
                FindNearestView(model: FindNearestViewModel(client: client), position: nil)
                    .navigationTitle(s(.titleNearby))
            }
            .tabItem { Label(s(.tabNearby), systemImage: "mappin.and.ellipse") }
            switch home {
            case .volunteer:
                VolunteerTabs(client: client)
            case .lawyer:
                NavigationStack {
                    NewNeedView(model: NewNeedViewModel(client: client)).navigationTitle(s(.titleOnSite))
                }
                .tabItem { Label(s(.tabEnter), systemImage: "square.and.pencil") }
                NavigationStack { OutboxView(model: OutboxViewModel(client: client)).navigationTitle(s(.tabOutbox)) }
                    .tabItem { Label(s(.tabOutbox), systemImage: "tray.and.arrow.up") }
            case .resident, .console:
                NavigationStack {
                    NewNeedView(model: NewNeedViewModel(client: client)).navigationTitle(s(.titleAsk))
                }
                .tabItem { Label(s(.tabAsk), systemImage: "questionmark.bubble") }
                NavigationStack {
                    MyNeedsView(model: MyNeedsViewModel(client: client)).navigationTitle(s(.tabMyNeeds))
                }
                .tabItem { Label(s(.tabMyNeeds), systemImage: "list.bullet.rectangle") }
                CalculatorsTab()
            }
            NavigationStack {
                List {
                    LanguageToggle(setting: AppSession.language)
                    Button(s(.signOut), role: .destructive) { Task { await signOut() } }
                }
                .navigationTitle(s(.tabMe))
            }
            .tabItem { Label(s(.tabMe), systemImage: "person.crop.circle") }
        }
    }
}

/// The volunteer's tabs: duty (the duty card over clock-in, which it
/// follows), offers, and the orders they hold.
struct VolunteerTabs: View {
    let client: LawCircleClient
    @State private var clockIn: ClockInViewModel
    @State private var duty: DutyStateViewModel
    @Environment(\.strings) private var s

    init(client: LawCircleClient) {
        self.client = client
        let clockIn = ClockInViewModel(client: client)
        let duty = DutyStateViewModel(client: client, settings: UserDefaults.standard)
        duty.follow(clockIn)
        _clockIn = State(initialValue: clockIn)
        _duty = State(initialValue: duty)
    }

    var body: some View {
        NavigationStack {
            VStack(alignment: .leading) {
                DutyCardView(model: duty).padding(.horizontal)
                ClockInView(model: clockIn, position: nil)
            }
            .navigationTitle(s(.titleDuty))
        }
        .tabItem { Label(s(.tabDuty), systemImage: "person.badge.clock") }
        NavigationStack {
            OrderOffersView(
                model: OrderOffersViewModel(client: client, position: Point(lat: 0, lng: 0, datum: .wgs84))
            )
            .navigationTitle(s(.titleOrders))
        }
        .tabItem { Label(s(.tabOrders), systemImage: "tray.full") }
        NavigationStack {
            MyOrdersView(model: MyOrdersViewModel(client: client)).navigationTitle(s(.tabMyOrders))
        }
        .tabItem { Label(s(.tabMyOrders), systemImage: "checklist") }
    }
}

/// The compensation calculators' tab. The view model is kept in `@State`
/// so the form survives the tabs being redrawn (a language toggle).
struct CalculatorsTab: View {
    @State private var model: CompensationCalculatorViewModel
    @Environment(\.strings) private var s

    init() { _model = State(initialValue: CompensationCalculatorViewModel()) }

    var body: some View {
        NavigationStack {
            CompensationCalculatorView(model: model).navigationTitle(s(.titleCalculators))
        }
        .tabItem { Label(s(.tabCalculators), systemImage: "function") }
    }
}
