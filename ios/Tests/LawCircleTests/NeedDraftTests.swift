import Foundation
import XCTest
import LawCircle
import LawCircleFFI

/// A need kept as a draft on the phone (offline), resumed, refused while
/// incomplete with the draft kept, then queued from the draft (which goes
/// in the same step), or discarded.
@MainActor
final class NeedDraftTests: XCTestCase, @unchecked Sendable {
    func testADraftIsKeptOfflineResumedAndQueuedFromItself() async throws {
        let server = try TestServer(["--demo"])
        let people = try server.seedPeople()
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let resident = try phone(server.baseURL, dir, "resident", people.resident.password)
        _ = try await resident.signIn()
        // Drafts live on the phone: no connection needed.
        server.stop()

        let first = NewNeedViewModel(
            client: resident, blank: needForm(category: .mediation, areaCode: people.villageCode))
        let photo = dir.appendingPathComponent("photo.png")
        try tinyPNG.write(to: photo)
        await first.addAttachment(photo).value
        first.edit {
            $0.consentGiven = false
            $0.description = "宅基地边界纠纷"
        }
        await first.saveDraft()
        let id = try XCTUnwrap(first.state.value.draftId, "\(first.state.value.phase)")
        XCTAssertTrue(first.state.value.draftSaved)
        XCTAssertEqual(first.state.value.drafts.map(\.id), [id])
        // A missing file is refused by field and nothing is saved.
        let broken = NewNeedViewModel(client: resident)
        await broken.addAttachment(dir.appendingPathComponent("gone.png")).value
        await broken.saveDraft()
        XCTAssertNil(broken.state.value.draftId)
        XCTAssertNotNil(broken.state.value.problems["attachments[0]"], "\(broken.state.value.problems)")

        // The app restarts: the draft is there, resumed with its photo.
        try FileManager.default.removeItem(at: photo)
        let again = NewNeedViewModel(
            client: resident, blank: needForm(category: .mediation, areaCode: people.villageCode))
        await again.loadDrafts()
        let draft = try XCTUnwrap(again.state.value.drafts.first)
        XCTAssertEqual(again.state.value.drafts.count, 1)
        again.resume(draft)
        XCTAssertEqual(again.state.value.form.description, "宅基地边界纠纷")
        XCTAssertEqual(again.state.value.form.attachments.count, 1, "the library kept its own copy")

        // Incomplete (no consent): refused by field, the draft kept.
        await again.submit()
        XCTAssertEqual(again.state.value.phase, .editing)
        XCTAssertNotNil(again.state.value.problems["consent.given"], "\(again.state.value.problems)")
        let kept = try await resident.needDrafts()
        XCTAssertEqual(kept.map(\.id), [id])

        // Completed: queued from the draft, which is gone.
        await again.edit { $0.consentGiven = true }.value
        await again.submit()
        guard case let .submitted(key) = again.state.value.phase else { return XCTFail("\(again.state.value)") }
        XCTAssertTrue(again.state.value.drafts.isEmpty)
        XCTAssertNil(again.state.value.draftId)
        let left = try await resident.needDrafts()
        XCTAssertTrue(left.isEmpty)
        XCTAssertEqual(try resident.outboxEntry(key: key).kind, .need)

        // A second draft discarded.
        await again.edit { $0.description = "另一件事" }.value
        await again.saveDraft()
        let second = try XCTUnwrap(again.state.value.draftId)
        await again.discardDraft(id: second)
        XCTAssertNil(again.state.value.draftId)
        XCTAssertTrue(again.state.value.drafts.isEmpty)
    }
}
