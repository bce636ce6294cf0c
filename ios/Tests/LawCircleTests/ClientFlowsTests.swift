import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
import XCTest
import LawCircle
import LawCircleFFI

/// The flows of bindings/tests/client_flows.rs, through the Swift bindings.
@MainActor
final class ClientFlowsTests: XCTestCase, @unchecked Sendable {
    private func tempDir() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("lawcircle-phone-\(UUID().uuidString)")
    }

    private func open(_ serverURL: String, _ dir: URL) throws -> LawCircleClient {
        try LawCircleClient.open(
            config: ClientConfig(
                databasePath: dir.appendingPathComponent("phone/lawcircle.sqlite").path,
                serverUrl: serverURL,
                credentials: Credentials(userId: "resident-1", secret: "s3cret")),
            transport: URLSessionTransport())
    }

    func testHealthOfTheDemoServerThroughTheClient() async throws {
        let server = try TestServer(["--demo"])
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let client = try open(server.baseURL, dir)
        var isDir: ObjCBool = false
        XCTAssertTrue(
            FileManager.default.fileExists(atPath: dir.appendingPathComponent("phone").path, isDirectory: &isDir))
        XCTAssertTrue(isDir.boolValue)
        let health = try await client.serverHealth()
        XCTAssertEqual(health.status, "ok")
        XCTAssertEqual(health.database, "sqlite")
        XCTAssertGreaterThan(health.catalogueVersion, 0)
        server.stop()
    }

    func testADemoFacilityIsWithinTheCircleOfItsAmapPin() async throws {
        let server = try TestServer(["--demo"])
        // The platform's own HTTP client (URLSession), as a shell fetching a page.
        let (_, data) = try await Api(baseURL: server.baseURL, token: nil).raw("GET", "/api/v1/facilities")
        let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let features = json?["features"] as? [[String: Any]] ?? []
        let geometry = features.first?["geometry"] as? [String: Any]
        let coords = try XCTUnwrap(geometry?["coordinates"] as? [Double])
        let facility = Point(lat: coords[1], lng: coords[0], datum: .wgs84)
        let walk = try walkEstimate(a: facility, b: Point(lat: coords[1], lng: coords[0], datum: .gcj02))
        XCTAssert((200.0...700.0).contains(walk.distanceM), "offset \(walk.distanceM)")
        XCTAssertTrue(walk.withinCircle)
        server.stop()
    }

    func testConnectivityGoesOnlineThenOfflineAndACancelledWatchHearsNothing() async throws {
        let server = try TestServer(["--demo"])
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let client = try open(server.baseURL, dir)
        let kept = ConnectivityViewModel(client: client, intervalMs: 100)
        let cancelled = ConnectivityViewModel(client: client, intervalMs: 100)
        kept.start()
        cancelled.start()
        let isOnline: (ConnectivityState) -> Bool = { if case .online = $0 { return true } else { return false } }
        let isOffline: (ConnectivityState) -> Bool = { if case .offline = $0 { return true } else { return false } }
        let keptOnline = try await waitFor(kept.state, isOnline)
        XCTAssertNotNil(keptOnline)
        let cancelledOnline = try await waitFor(cancelled.state, isOnline)
        XCTAssertNotNil(cancelledOnline)
        cancelled.stop()
        server.stop()
        let keptOffline = try await waitFor(kept.state, isOffline)
        XCTAssertNotNil(keptOffline)
        try await Task.sleep(nanoseconds: 300_000_000)
        XCTAssertTrue(isOnline(cancelled.state.value))
        await kept.refresh()
        XCTAssertTrue(isOffline(kept.state.value))
        kept.stop()
    }

    func testBadConfigurationIsAnInvalidInputNamingTheField() async {
        XCTAssertThrowsError(
            try LawCircleClient.open(
                config: ClientConfig(
                    databasePath: "/tmp/x.sqlite", serverUrl: "lawcircle.example",
                    credentials: Credentials(userId: "u", secret: "")),
                transport: URLSessionTransport())
        ) { error in
            XCTAssertEqual(UiError(error).field, "server_url")
        }
    }

    func testAnUnreachableServerIsANetworkError() async throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let client = try open("http://127.0.0.1:9", dir)
        do {
            _ = try await client.serverHealth()
            XCTFail("expected a network error")
        } catch let LawCircleError.Network(reason) {
            XCTAssertFalse(reason.isEmpty)
        }
    }
}
