import Foundation
import LawCircle
import LawCircleFFI
import XCTest

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `tls-proxy` (tests/src/bin): TLS in front of the server with a
/// certificate from a certificate authority made for this run. It ends
/// when its standard input closes.
final class TlsProxy {
    let baseURL: String
    let caPEM: Data
    private let process: Process
    private let stdin = Pipe()

    init(upstream: String, dir: URL) throws {
        guard let bin = ProcessInfo.processInfo.environment["LAWCIRCLE_TLS_PROXY_BIN"] else {
            throw TestServerError("set LAWCIRCLE_TLS_PROXY_BIN to the tls-proxy binary")
        }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let caFile = dir.appendingPathComponent("test-ca.pem")
        process = Process()
        process.executableURL = URL(fileURLWithPath: bin)
        process.arguments = ["--upstream", upstream, "--ca-out", caFile.path]
        let out = Pipe()
        process.standardOutput = out
        process.standardInput = stdin
        try process.run()
        var buffer = Data()
        while true {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { throw TestServerError("tls-proxy exited before listening") }
            buffer.append(chunk)
            let text = String(decoding: buffer, as: UTF8.self)
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("listening on ") }) {
                baseURL = String(line.dropFirst("listening on ".count))
                break
            }
        }
        caPEM = try Data(contentsOf: caFile)
    }

    deinit {
        try? stdin.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}

/// The phone's flows over HTTPS through `URLSessionTransport`: refused while
/// the system does not trust the run's CA, through once it does.
/// FoundationNetworking on Linux reads only the system bundle (there is no
/// trust callback), so the test adds the CA there, as a user or an MDM
/// profile installs a CA on a phone; the suite mounts a throwaway copy of
/// the bundle for that (`LAWCIRCLE_TEST_CA_BUNDLE`).
@MainActor
final class HttpsTests: XCTestCase, @unchecked Sendable {
    /// The sessions this test made, kept to the end of the process.
    /// FoundationNetworking on Linux crashes ("_MultiHandle deallocated
    /// while still referenced") or stalls when a `URLSession` is freed
    /// while libcurl still holds a handle of a finished task; Apple's
    /// Foundation does not, and apps pass long-lived sessions anyway.
    private static var sessions: [URLSession] = []

    private static func session() -> URLSession {
        let session = URLSession(configuration: .ephemeral)
        sessions.append(session)
        return session
    }

    func testTheFlowsRunOverHttpsOnceTheSystemTrustsTheCa() async throws {
        guard let bundle = ProcessInfo.processInfo.environment["LAWCIRCLE_TEST_CA_BUNDLE"] else {
            return XCTFail("set LAWCIRCLE_TEST_CA_BUNDLE to a CA bundle this test may add to")
        }
        let server = try TestServer(["--demo"])
        let people = try server.seedPeople()
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let proxy = try TlsProxy(upstream: server.address, dir: dir.appendingPathComponent("proxy"))
        XCTAssertTrue(proxy.baseURL.hasPrefix("https://127.0.0.1:"))

        func open(_ name: String) throws -> LawCircleClient {
            try LawCircleClient.open(
                config: ClientConfig(
                    databasePath: dir.appendingPathComponent("\(name)/lawcircle.sqlite").path,
                    serverUrl: proxy.baseURL,
                    credentials: Credentials(userId: people.resident.username, secret: people.resident.password)),
                // A session of its own: libcurl keeps the CA store it loaded
                // per session, so the trusted phase needs a session that
                // never saw the untrusted one.
                transport: URLSessionTransport(session: Self.session()))
        }

        // Not trusted yet: the handshake fails, a network error, nothing signed in.
        let refused = try open("untrusted")
        do {
            _ = try await refused.signIn()
            XCTFail("a certificate from an unknown CA was accepted")
        } catch LawCircleError.Network {
        }

        // Trusted: the CA joins the system bundle.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: bundle))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("\n".utf8) + proxy.caPEM)
        try handle.close()

        let phone = try open("trusted")
        let account = try await phone.signIn()
        XCTAssertEqual(account.role, .resident)
        // A need queued offline-first, sent over HTTPS, then listed with its status.
        _ = try await phone.submitNeed(form: needForm(category: .consultation, areaCode: people.villageCode))
        let report = try await phone.sync(maxWaitMs: 30_000, cancel: nil)
        XCTAssertEqual(report.pending, 0, "\(report)")
        let mine = try await phone.myNeeds()
        XCTAssertEqual(mine.count, 1)
        XCTAssertEqual(mine.first?.category, .consultation)
        let health = try await phone.serverHealth()
        XCTAssertEqual(health.status, "ok")
    }
}
