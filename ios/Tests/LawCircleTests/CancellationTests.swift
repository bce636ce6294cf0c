import Foundation
import LawCircle
import LawCircleFFI
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// A loopback port that takes connections (the kernel completes them into
/// the listen backlog) and never answers: a request to it waits until it
/// times out, or until it is cancelled.
private struct BlackHole {
    let fd: Int32
    let port: UInt16

    init() throws {
        #if canImport(Glibc)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw TestServerError("socket: \(errno)") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 16) == 0 else { throw TestServerError("bind/listen: \(errno)") }
        var local = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.fd = fd
        self.port = UInt16(bigEndian: local.sin_port)
    }

    func close() { _ = shutdown(fd, Int32(SHUT_RDWR)) }
}

@MainActor
final class CancellationTests: XCTestCase, @unchecked Sendable {
    /// Without the token the call would wait for the request's timeout and
    /// end with a network error; cancelled, it ends as cancelled.
    func testACancelledTaskCancelsTheSyncInRust() async throws {
        let hole = try BlackHole()
        defer { hole.close() }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lawcircle-cancel-\(UUID())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let client = try phone("http://127.0.0.1:\(hole.port)", dir, "resident", "x")
        let task = Task { try await withCancelToken { try await client.sync(maxWaitMs: 0, cancel: $0) } }
        task.cancel()
        do {
            let report = try await task.value
            XCTFail("a cancelled sync finished: \(report)")
        } catch is CancellationError {
        } catch {
            XCTFail("not cancelled: \(error)")
        }
    }

    /// The outbox screen's sync, cancelled with its Task, is no failure.
    func testTheOutboxScreenSyncStopsWithItsTask() async throws {
        let hole = try BlackHole()
        defer { hole.close() }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lawcircle-cancel-\(UUID())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = OutboxViewModel(client: try phone("http://127.0.0.1:\(hole.port)", dir, "resident", "x"))
        let task = Task { await model.sync(maxWaitMs: 0) }
        task.cancel()
        await task.value
        XCTAssertEqual(model.state.value.sync, .idle)
    }
}
