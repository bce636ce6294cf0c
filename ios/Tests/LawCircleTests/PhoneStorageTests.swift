import Foundation
import XCTest
import LawCircle
import LawCircleFFI

/// Records what would be protected (Data Protection itself exists only on
/// the devices).
final class RecordingProtector: FileProtector {
    private(set) var protected: [(name: String, isDirectory: Bool)] = []
    func protect(_ url: URL, isDirectory: Bool) throws {
        protected.append((url.lastPathComponent, isDirectory))
    }
}

/// Where the phone's database lives at rest.
@MainActor
final class PhoneStorageTests: XCTestCase, @unchecked Sendable {
    private let dir = tempDir()

    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    func testTheDatabaseFolderAndEveryFileTheLibraryWritesAreProtected() async throws {
        let support = dir.appendingPathComponent("Application Support")
        let first = RecordingProtector()
        let db = try PhoneStorage.prepare(applicationSupport: support, protector: first)
        XCTAssertEqual(db.lastPathComponent, "phone.sqlite")
        XCTAssertEqual(db.deletingLastPathComponent().lastPathComponent, "LawCircle")
        // Before the database exists: the folder only (new files inherit it).
        XCTAssertEqual(first.protected.map(\.name), ["LawCircle"])
        XCTAssertEqual(first.protected.map(\.isDirectory), [true])
        let mode = try FileManager.default.attributesOfItem(atPath: db.deletingLastPathComponent().path)[
            .posixPermissions]
        XCTAssertEqual((mode as? NSNumber)?.intValue, 0o700)

        // The real library opens the database there; a second pass
        // protects each file it wrote, and it wrote no file that
        // databaseFiles does not name.
        let client = try LawCircleClient.open(
            config: ClientConfig(
                databasePath: db.path, serverUrl: "http://127.0.0.1:9",
                credentials: Credentials(userId: "resident", secret: "x")),
            transport: URLSessionTransport())
        _ = try client.outboxCounts()
        let again = RecordingProtector()
        try PhoneStorage.prepare(applicationSupport: support, protector: again)
        let written = Set(try FileManager.default.contentsOfDirectory(atPath: db.deletingLastPathComponent().path))
        let named = Set(PhoneStorage.databaseFiles(db).map(\.lastPathComponent))
        XCTAssertTrue(written.contains("phone.sqlite"), "\(written)")
        XCTAssertTrue(written.isSubset(of: named), "unnamed files: \(written.subtracting(named))")
        XCTAssertEqual(Set(again.protected.filter { !$0.isDirectory }.map(\.name)), written)
        XCTAssertEqual(
            PhoneStorage.databaseFiles(db).prefix(3).map(\.lastPathComponent),
            ["phone.sqlite", "phone.sqlite-wal", "phone.sqlite-shm"])
        XCTAssertEqual(PhoneStorage.protectionClass, "completeUntilFirstUserAuthentication")
    }
}
