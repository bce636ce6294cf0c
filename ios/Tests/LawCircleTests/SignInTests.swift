import Foundation
import LawCircle
import LawCircleFFI
import XCTest

@MainActor
final class SignInTests: XCTestCase, @unchecked Sendable {
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
            serverUrl: "https://default.invalid", databasePath: "/tmp/unused.sqlite", sessionStore: MemorySessionStore()
        )
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
        let store = MemorySessionStore()
        let model = SignInViewModel(serverUrl: server.baseURL, databasePath: database, sessionStore: store)

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
        XCTAssertNil(store.current)
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
        // The store holds the session: the server, the user, the token, never
        // the password.
        let session = try XCTUnwrap(store.current)
        XCTAssertEqual(session.username, people.volunteer.username)
        XCTAssertEqual(session.serverUrl, server.baseURL)
        XCTAssertFalse(session.token.isEmpty)
        XCTAssertEqual(session.account, account)
        let sealed = String(decoding: try encodeStoredSession(session: session), as: UTF8.self)
        XCTAssertFalse(sealed.contains(people.volunteer.password), "the password is never kept")
        XCTAssertNotNil(model.client)

        // The next launch, online: the stored token alone makes the calls.
        let online = SignInViewModel(
            serverUrl: "https://default.invalid", databasePath: database, sessionStore: store)
        let reopened = await online.restore()
        XCTAssertTrue(reopened)
        _ = try await XCTUnwrap(online.client).myOrders()
        XCTAssertEqual(store.current?.token, session.token, "no new sign-in was needed")

        // The next launch, offline: restored from the session in the store,
        // with no password.
        server.stop()
        let relaunched = SignInViewModel(
            serverUrl: "https://default.invalid", databasePath: database, sessionStore: store)
        let restored = await relaunched.restore()
        XCTAssertTrue(restored)
        XCTAssertEqual(relaunched.state.value.phase, .signedIn(account, .volunteer))
        XCTAssertEqual(relaunched.state.value.serverUrl, server.baseURL)
        XCTAssertEqual(relaunched.state.value.password, "")

        // Signing out forgets the session: the store is cleared.
        await relaunched.signOut()
        XCTAssertEqual(relaunched.state.value.phase, .editing)
        XCTAssertNil(relaunched.client)
        XCTAssertNil(store.current)
        let again = SignInViewModel(serverUrl: server.baseURL, databasePath: database, sessionStore: store)
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
