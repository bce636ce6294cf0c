import Foundation
import LawCircleFFI

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
    /// Cleared once used and never stored: what the phone keeps is the
    /// session's token, in the session store.
    public var password = ""
    public var phase: Phase = .editing

    public init(serverUrl: String) { self.serverUrl = serverUrl }
}

/// Signing in (username or mobile number and password), restoring the
/// session at launch (offline too) and signing out. The session (server,
/// user, bearer token, account) is kept by the library in the platform's
/// `SessionStore` (the Keychain on iOS, `KeychainSessionStore`): a
/// sign-in saves it there, signing out clears it. The password is used for
/// the one sign-in and never kept. The opened client is what every other
/// view model takes.
@MainActor
public final class SignInViewModel {
    public let state: StateHolder<SignInState>
    /// The signed-in user's client, once signed in.
    public private(set) var client: LawCircleClient?
    private let databasePath: String
    private let sessionStore: SessionStore
    private let transport: HttpTransport

    /// `serverUrl` is the build's default address; `databasePath` the
    /// phone's database file; `sessionStore` where the session is kept;
    /// `transport` the library's HTTP (URLSession).
    public init(
        serverUrl: String, databasePath: String, sessionStore: SessionStore,
        transport: HttpTransport = URLSessionTransport()
    ) {
        state = StateHolder(SignInState(serverUrl: serverUrl))
        self.databasePath = databasePath
        self.sessionStore = sessionStore
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
    /// success the library has saved the session in the session store and
    /// the password is cleared.
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
        do {
            let (client, _) = try await open(
                serverUrl: current.serverUrl, username: username, password: current.password)
            let account = try await client.signIn()
            self.client = client
            state.update {
                $0.password = ""
                $0.phase = .signedIn(account, Home(role: account.role))
            }
        } catch {
            fail(UiError(error))
        }
    }

    /// At launch: the session in the store (its server, user, token and
    /// account) signs the user in without the network; with none, the
    /// sign-in screen. True when signed in.
    @discardableResult
    public func restore() async -> Bool {
        do {
            let store = sessionStore
            // The Keychain is read off the main actor.
            guard let saved = try await offMain({ try store.load() }) else { return false }
            state.update {
                $0.serverUrl = saved.serverUrl
                $0.username = saved.username
            }
            // No password: the stored token is the session. Should the server
            // refuse it later, the calls fail as unauthenticated and the
            // user signs in again.
            let (client, restored) = try await open(
                serverUrl: saved.serverUrl, username: saved.username, password: "")
            guard let account = restored else { return false }
            self.client = client
            state.update { $0.phase = .signedIn(account, Home(role: account.role)) }
            return true
        } catch {
            fail(UiError(error))
            return false
        }
    }

    /// Signs out: the server revokes the session, the phone forgets it (the
    /// library clears the session store). Refused while needs or punches
    /// wait in the outbox unless `discardPending` (the screen asks first).
    public func signOut(discardPending: Bool = false) async {
        do {
            if let client {
                try await client.signOut(discardPending: discardPending)
            } else {
                let store = sessionStore
                try await offMain { try store.clear() }
            }
            client = nil
            state.update {
                $0.password = ""
                $0.phase = .editing
            }
        } catch {
            fail(UiError(error))
        }
    }

    /// Opens the phone's client and hands it the session store; a session
    /// the store holds for this server and user is taken up at once (its
    /// account is returned with the client).
    private func open(
        serverUrl: String, username: String, password: String
    ) async throws -> (LawCircleClient, Account?) {
        let config = ClientConfig(
            databasePath: databasePath, serverUrl: serverUrl,
            credentials: Credentials(userId: username, secret: password))
        // Opening creates or migrates the phone's database, the store reads
        // the Keychain: off the main actor.
        let transport = self.transport
        let store = sessionStore
        return try await offMain {
            let client = try LawCircleClient.open(config: config, transport: transport)
            return (client, try client.useSessionStore(store: store))
        }
    }

    private func fail(_ error: UiError) {
        state.update { $0.phase = .error(error) }
    }
}
