import Foundation
import LawCircle
import LawCircleFFI
import XCTest

/// The tests' credential store: in memory (the app's is the Keychain).
final class MemoryCredentialStore: CredentialStore, @unchecked Sendable {
    private let lock = NSLock()
    private var saved: SavedSignIn?

    func load() throws -> SavedSignIn? {
        lock.lock()
        defer { lock.unlock() }
        return saved
    }

    func save(_ saved: SavedSignIn) throws {
        lock.lock()
        defer { lock.unlock() }
        self.saved = saved
    }

    func clear() throws {
        lock.lock()
        defer { lock.unlock() }
        saved = nil
    }
}

@MainActor
final class SignInTests: XCTestCase {
    func testAStationCodeGivesTheServerAddressAndAnythingElseIsRefused() async {
        XCTAssertEqual(
            SignInViewModel.serverAddress(fromQr: "lawcircle://connect?server=https%3A%2F%2Flw.example.cn%2F"),
            "https://lw.example.cn/")
        XCTAssertEqual(SignInViewModel.serverAddress(fromQr: " https://lw.example.cn\n"), "https://lw.example.cn")
        for bad in [
            "", "hello", "lawcircle://connect", "lawcircle://connect?server=ftp%3A%2F%2Fx", "weixin://x",
            "lawcircle://other?server=https%3A%2F%2Fx",
        ] {
            XCTAssertNil(SignInViewModel.serverAddress(fromQr: bad), bad)
        }
        let model = SignInViewModel(
            serverUrl: "https://default.invalid", databasePath: "/tmp/unused.sqlite", store: MemoryCredentialStore())
        model.scanned("not a code")
        guard case let .error(error) = model.state.value.phase else { return XCTFail("\(model.state.value)") }
        XCTAssertEqual(error.field, "server_url")
        XCTAssertEqual(model.state.value.serverUrl, "https://default.invalid", "a bad code changes nothing")
        model.scanned("lawcircle://connect?server=https%3A%2F%2Flw.example.cn")
        XCTAssertEqual(model.state.value.serverUrl, "https://lw.example.cn")
        XCTAssertEqual(model.state.value.phase, .editing)
    }

    func testSignInRestoreOfflineAndSignOut() async throws {
        let server = try TestServer(["--demo"])
        let people = try server.seedPeople()
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let database = dir.appendingPathComponent("lawcircle.sqlite").path
        let store = MemoryCredentialStore()
        let model = SignInViewModel(serverUrl: server.baseURL, databasePath: database, store: store)

        // Empty fields are named before any request.
        await model.signIn()
        guard case let .error(noName) = model.state.value.phase else { return XCTFail("\(model.state.value)") }
        XCTAssertEqual(noName.field, "username")
        // A wrong password: the server's refusal, nothing saved.
        model.edit {
            $0.username = people.volunteer.username
            $0.password = "wrong password"
        }
        await model.signIn()
        guard case let .error(refused) = model.state.value.phase else { return XCTFail("\(model.state.value)") }
        XCTAssertEqual(refused.kind, .unauthenticated)
        XCTAssertNil(try store.load())
        XCTAssertNil(model.client)

        // Right: signed in to the volunteer's home, the password cleared.
        model.edit { $0.password = people.volunteer.password }
        await model.signIn()
        guard case let .signedIn(account, home) = model.state.value.phase else {
            return XCTFail("\(model.state.value)")
        }
        XCTAssertEqual(account.username, people.volunteer.username)
        XCTAssertEqual(home, .volunteer)
        XCTAssertEqual(model.state.value.password, "")
        XCTAssertEqual(try store.load()?.username, people.volunteer.username)
        XCTAssertNotNil(model.client)

        // The next launch, offline: restored from the store and the account
        // kept on the phone.
        server.stop()
        let relaunched = SignInViewModel(serverUrl: "https://default.invalid", databasePath: database, store: store)
        let restored = await relaunched.restore()
        XCTAssertTrue(restored)
        XCTAssertEqual(relaunched.state.value.phase, .signedIn(account, .volunteer))
        XCTAssertEqual(relaunched.state.value.serverUrl, server.baseURL)

        // Signing out forgets the session and the saved credentials.
        await relaunched.signOut()
        XCTAssertEqual(relaunched.state.value.phase, .editing)
        XCTAssertNil(relaunched.client)
        XCTAssertNil(try store.load())
        let again = SignInViewModel(serverUrl: server.baseURL, databasePath: database, store: store)
        let nothing = await again.restore()
        XCTAssertFalse(nothing, "nothing to restore after signing out")
    }

    func testEveryRoleHasAHome() async {
        XCTAssertEqual(Home(role: .resident), .resident)
        XCTAssertEqual(Home(role: .volunteer), .volunteer)
        XCTAssertEqual(Home(role: .lawyer), .lawyer)
        XCTAssertEqual(Home(role: .stationStaff), .console)
        XCTAssertEqual(Home(role: .districtAdmin), .console)
    }
}
