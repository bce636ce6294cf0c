import Foundation
import LawCircleFFI

/// What signing in again needs, kept by the app between launches (the
/// Keychain on iOS, see `KeychainCredentialStore`).
public struct SavedSignIn: Equatable, Sendable {
    public var serverUrl: String
    public var username: String
    public var secret: String

    public init(serverUrl: String, username: String, secret: String) {
        self.serverUrl = serverUrl
        self.username = username
        self.secret = secret
    }
}

/// Where the app keeps a `SavedSignIn`.
public protocol CredentialStore: Sendable {
    func load() throws -> SavedSignIn?
    func save(_ saved: SavedSignIn) throws
    func clear() throws
}

/// The home a signed-in account sees, by its role.
public enum Home: Equatable, Sendable {
    /// Find services, file and follow needs, rate.
    case resident
    /// Duty clock-in, offers, my orders.
    case volunteer
    /// Needs entered on site, the outbox.
    case lawyer
    /// Station staff and district admins work in the web console; the app
    /// gives them the resident's home and says so.
    case console

    public init(role: Role) {
        switch role {
        case .volunteer: self = .volunteer
        case .lawyer: self = .lawyer
        case .stationStaff, .districtAdmin: self = .console
        case .resident: self = .resident
        }
    }
}

/// What the sign-in screen shows.
public struct SignInState: Equatable, Sendable {
    public enum Phase: Equatable, Sendable {
        case editing
        case signingIn
        case signedIn(Account, Home)
        case error(UiError)
    }

    /// The platform's address: the build's default, or a station's QR code.
    public var serverUrl: String
    public var username = ""
    /// Cleared once used: the secret is kept only by the credential store.
    public var password = ""
    public var phase: Phase = .editing

    public init(serverUrl: String) { self.serverUrl = serverUrl }
}

/// Signing in (username or mobile number and password), restoring the
/// session at launch (offline too, from the account kept on the phone) and
/// signing out. The opened client is what every other view model takes.
@MainActor
public final class SignInViewModel {
    public let state: StateHolder<SignInState>
    /// The signed-in user's client, once signed in.
    public private(set) var client: LawCircleClient?
    private let databasePath: String
    private let store: CredentialStore
    private let transport: HttpTransport

    /// `serverUrl` is the build's default address; `databasePath` the
    /// phone's database file; `transport` the library's HTTP (URLSession).
    public init(
        serverUrl: String, databasePath: String, store: CredentialStore,
        transport: HttpTransport = URLSessionTransport()
    ) {
        state = StateHolder(SignInState(serverUrl: serverUrl))
        self.databasePath = databasePath
        self.store = store
        self.transport = transport
    }

    public func edit(_ change: (inout SignInState) -> Void) {
        state.update {
            change(&$0)
            if case .error = $0.phase { $0.phase = .editing }
        }
    }

    /// A station's QR code: `lawcircle://connect?server=<address>` or the
    /// address itself. Anything else is an error naming the field.
    public func scanned(_ payload: String) {
        guard let server = Self.serverAddress(fromQr: payload) else {
            state.update {
                $0.phase = .error(
                    UiError(key: .notAStationCode, field: "server_url", kind: .invalidInput))
            }
            return
        }
        edit { $0.serverUrl = server }
    }

    /// The server address a station's QR code holds, if it holds one.
    public nonisolated static func serverAddress(fromQr payload: String) -> String? {
        let text = payload.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let url = URLComponents(string: text) else { return nil }
        switch url.scheme?.lowercased() {
        case "lawcircle":
            guard url.host == "connect",
                let server = url.queryItems?.first(where: { $0.name == "server" })?.value,
                let inner = URLComponents(string: server), ["https", "http"].contains(inner.scheme?.lowercased()),
                inner.host?.isEmpty == false
            else { return nil }
            return server
        case "https", "http":
            return url.host?.isEmpty == false ? text : nil
        default:
            return nil
        }
    }

    /// Opens the phone's client for the typed account and signs in; on
    /// success the credentials are saved and the password is cleared.
    public func signIn() async {
        let current = state.value
        let username = current.username.trimmingCharacters(in: .whitespaces)
        guard !username.isEmpty else {
            return fail(
                UiError(key: .enterUsername, field: "username", kind: .invalidInput))
        }
        guard !current.password.isEmpty else {
            return fail(UiError(key: .enterPassword, field: "password", kind: .invalidInput))
        }
        state.update { $0.phase = .signingIn }
        let saved = SavedSignIn(serverUrl: current.serverUrl, username: username, secret: current.password)
        do {
            let client = try await open(saved)
            let account = try await client.signIn()
            try store.save(saved)
            self.client = client
            state.update {
                $0.password = ""
                $0.phase = .signedIn(account, Home(role: account.role))
            }
        } catch {
            fail(UiError(error))
        }
    }

    /// At launch: the saved credentials and the account kept on the phone
    /// sign the user in without the network; with none, the sign-in screen.
    /// True when signed in.
    @discardableResult
    public func restore() async -> Bool {
        do {
            guard let saved = try store.load() else { return false }
            state.update {
                $0.serverUrl = saved.serverUrl
                $0.username = saved.username
            }
            let client = try await open(saved)
            let account: Account
            if let kept = client.account() {
                account = kept
            } else {
                account = try await client.signIn()
            }
            self.client = client
            state.update { $0.phase = .signedIn(account, Home(role: account.role)) }
            return true
        } catch {
            fail(UiError(error))
            return false
        }
    }

    /// Signs out: the server revokes the session, the phone forgets it and
    /// the saved credentials. Refused while needs or punches wait in the
    /// outbox unless `discardPending` (the screen asks first).
    public func signOut(discardPending: Bool = false) async {
        do {
            if let client { try await client.signOut(discardPending: discardPending) }
            try store.clear()
            client = nil
            state.update {
                $0.password = ""
                $0.phase = .editing
            }
        } catch {
            fail(UiError(error))
        }
    }

    private func open(_ saved: SavedSignIn) async throws -> LawCircleClient {
        let config = ClientConfig(
            databasePath: databasePath, serverUrl: saved.serverUrl,
            credentials: Credentials(userId: saved.username, secret: saved.secret))
        // Opening creates or migrates the phone's database: off the main actor.
        let transport = self.transport
        return try await offMain { try LawCircleClient.open(config: config, transport: transport) }
    }

    private func fail(_ error: UiError) {
        state.update { $0.phase = .error(error) }
    }
}
