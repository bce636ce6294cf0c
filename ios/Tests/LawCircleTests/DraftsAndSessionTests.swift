import Foundation
import XCTest
import LawCircle
import LawCircleFFI

/// The platform's session store as a test has it: in memory.
final class MemorySessionStore: SessionStore, @unchecked Sendable {
    private let lock = NSLock()
    private var saved: StoredSession?

    var current: StoredSession? {
        lock.lock()
        defer { lock.unlock() }
        return saved
    }

    func load() throws -> StoredSession? { current }

    func save(session: StoredSession) throws {
        lock.lock()
        defer { lock.unlock() }
        saved = session
    }

    func clear() throws {
        lock.lock()
        defer { lock.unlock() }
        saved = nil
    }
}

/// A need draft with its photo and the session outlive the app: drafts in
/// the library's database, the session in the platform's store.
final class DraftsAndSessionTests: XCTestCase {
    func testADraftWithItsPhotoAndTheSessionSurviveTheAppBeingKilled() async throws {
        let server = try TestServer(["--demo"])
        defer { server.stop() }
        let people = try server.seedPeople()
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = MemorySessionStore()
        let photo = dir.appendingPathComponent("cache-photo.png")
        var draftId = ""
        do {
            let client = try phone(server.baseURL, dir, "resident", people.resident.password)
            XCTAssertNil(try client.useSessionStore(store: store))
            _ = try await client.signIn()
            try tinyPNG.write(to: photo)
            var form = needForm(category: .consultation, areaCode: people.villageCode)
            form.description = ""
            form.attachments = [AttachmentInput(path: photo.path, displayName: "合同照片")]
            draftId = try await client.saveNeedDraft(id: nil, form: form)
        }
        XCTAssertEqual(store.current?.serverUrl, server.baseURL)
        // The app's cache file is gone; the library kept its own copy.
        try FileManager.default.removeItem(at: photo)

        let client = try phone(server.baseURL, dir, "resident", "not-the-password")
        XCTAssertEqual(try client.useSessionStore(store: store), store.current?.account)
        let drafts = try await client.needDrafts()
        XCTAssertEqual(drafts.map(\.id), [draftId])
        let attachment = try XCTUnwrap(drafts.first?.form.attachments.first)
        XCTAssertEqual(attachment.displayName, "合同照片")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: attachment.path)), tinyPNG)
        do {
            _ = try await client.submitNeedDraft(id: draftId)
            XCTFail("an incomplete draft is refused")
        } catch let LawCircleError.InvalidInput(field, _) {
            XCTAssertEqual(field, "description")
        }
        var form = try XCTUnwrap(drafts.first?.form)
        form.description = "邻居装修噪音纠纷，希望咨询如何处理"
        _ = try await client.saveNeedDraft(id: draftId, form: form)
        let key = try await client.submitNeedDraft(id: draftId)
        let left = try await client.needDrafts()
        XCTAssertTrue(left.isEmpty)
        // Sent with the stored session: the password given is wrong.
        let report = try await client.sync(maxWaitMs: 30_000, cancel: nil)
        XCTAssertEqual(report.pending, 0)
        let mine = try await client.myNeeds()
        XCTAssertEqual(mine.map(\.clientKey), [key])
        try await client.signOut(discardPending: false)
        XCTAssertNil(store.current)
    }
}
