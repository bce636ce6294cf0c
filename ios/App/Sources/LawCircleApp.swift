// The app's entry point: one scene whose root follows the sign-in state.
// Everything it shows is the LawCircle package's views over its view
// models; this target only wires them to the platform (the Keychain,
// background sync, the build's server address). Built on a Mac with Xcode
// (project.yml), never on Linux.
import LawCircle
import LawCircleFFI
import SwiftUI

@main
struct LawCircleApp: App {
    @UIApplicationDelegateAdaptor(PushAppDelegate.self) private var pushDelegate
    @State private var session = AppSession()
    /// The language the user picked (Chinese until toggled), kept in UserDefaults.
    @StateObject private var language = Observed(AppSession.language.state)

    var body: some Scene {
        WindowGroup {
            RootView(session: session)
                .environment(\.strings, Strings(language.value))
                .environment(\.locale, Locale(identifier: language.value.rawValue))
                .task { await session.launch() }
                // After each sign-in: the APNs device token for this user.
                .task(id: session.home) {
                    if let client = session.client {
                        await pushDelegate.enablePush(PushRegistrationViewModel(client: client))
                    }
                }
        }
    }
}

/// The signed-in user's models, made once per sign-in.
@MainActor
@Observable
final class AppSession {
    /// The Chinese/English toggle, shared by every screen.
    static let language = LanguageSetting(settings: UserDefaults.standard)
    let signIn: SignInViewModel
    private(set) var home: Home?
    private(set) var client: LawCircleClient?
    let sync = BackgroundSync()
    private var token: ObservationToken?

    init() {
        let support = FileManager.default.urls(for: .applicationSupportDirectory, in: .userDomainMask)[0]
        signIn = SignInViewModel(
            serverUrl: Bundle.main.object(forInfoDictionaryKey: "LawCircleServerURL") as? String ?? "",
            databasePath: support.appendingPathComponent("LawCircle/lawcircle.sqlite").path,
            sessionStore: KeychainSessionStore())
        token = signIn.state.observe { [weak self] state in self?.apply(state) }
    }

    func launch() async {
        sync.register()
        await signIn.restore()
    }

    private func apply(_ state: SignInState) {
        if case let .signedIn(_, home) = state.phase {
            self.home = home
            client = signIn.client
            if let client = signIn.client { sync.start(client: client) }
        } else {
            home = nil
            client = nil
            sync.stop()
        }
    }
}
