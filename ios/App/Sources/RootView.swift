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

    var body: some View {
        TabView {
            NavigationStack {
                FindNearestView(model: FindNearestViewModel(client: client), position: nil)
                    .navigationTitle("附近服务 Nearby")
            }
            .tabItem { Label("附近 Nearby", systemImage: "mappin.and.ellipse") }
            switch home {
            case .volunteer:
                NavigationStack {
                    ClockInView(model: ClockInViewModel(client: client), position: nil)
                        .navigationTitle("值守签到 Duty")
                }
                .tabItem { Label("值守 Duty", systemImage: "person.badge.clock") }
                NavigationStack {
                    OrderOffersView(
                        model: OrderOffersViewModel(client: client, position: Point(lat: 0, lng: 0, datum: .wgs84))
                    )
                    .navigationTitle("工单 Orders")
                }
                .tabItem { Label("工单 Orders", systemImage: "tray.full") }
            case .lawyer:
                NavigationStack {
                    NewNeedView(model: NewNeedViewModel(client: client)).navigationTitle("现场登记 On site")
                }
                .tabItem { Label("登记 Enter", systemImage: "square.and.pencil") }
                NavigationStack { OutboxView(model: OutboxViewModel(client: client)).navigationTitle("待发送 Outbox") }
                    .tabItem { Label("待发送 Outbox", systemImage: "tray.and.arrow.up") }
            case .resident, .console:
                NavigationStack {
                    NewNeedView(model: NewNeedViewModel(client: client)).navigationTitle("我要咨询 Ask")
                }
                .tabItem { Label("咨询 Ask", systemImage: "questionmark.bubble") }
            }
            Button("退出登录 Sign out") { Task { await signOut() } }
                .tabItem { Label("我的 Me", systemImage: "person.crop.circle") }
        }
    }
}
