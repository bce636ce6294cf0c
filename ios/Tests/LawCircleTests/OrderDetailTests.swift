import Foundation
import XCTest
import LawCircle
import LawCircleFFI

/// The order detail for its holder against the real server: refused before
/// the order is taken, the need with its photo once started, the photo
/// downloaded to a file, the contact read with a reason, offline.
@MainActor
final class OrderDetailTests: XCTestCase, @unchecked Sendable {
    func testTheHolderReadsTheNeedDownloadsItsPhotoAndReadsTheContactWithAReason() async throws {
        let server = try TestServer(["--demo"])
        let people = try server.seedPeople()
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let volunteer = try phone(server.baseURL, dir, "volunteer", people.volunteer.password)
        let resident = try phone(server.baseURL, dir, "resident", people.resident.password)

        // A consultation with a photo, filed and delivered.
        let need = NewNeedViewModel(
            client: resident, blank: needForm(category: .consultation, areaCode: people.villageCode))
        let photo = dir.appendingPathComponent("photo.png")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try tinyPNG.write(to: photo)
        await need.addAttachment(photo).value
        await need.submit()
        guard case let .submitted(key) = need.state.value.phase else { return XCTFail("\(need.state.value)") }
        let outbox = OutboxViewModel(client: resident)
        await outbox.sync(maxWaitMs: 30_000)
        let result = try XCTUnwrap(outbox.state.value.entries.first { $0.key == key }?.result)
        let receipt = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.utf8)) as? [String: Any])
        let orderId = try XCTUnwrap(receipt["order_id"] as? String)

        // Not the volunteer's yet: refused, nothing shown.
        let detail = OrderDetailViewModel(client: volunteer, orderId: orderId)
        let seen = Recorder<OrderDetailState>()
        let token = detail.state.observe(seen.add)
        await detail.load()
        guard case let .refused(refused) = detail.state.value.phase else { return XCTFail("\(detail.state.value)") }
        XCTAssertNotNil(refused.status)
        XCTAssertTrue(seen.all.contains { $0.phase == .loading })

        // Grabbed and started: the need, its area and its photo.
        let mine = MyOrdersViewModel(client: volunteer)
        let offers = OrderOffersViewModel(
            client: volunteer, position: Point(lat: people.postLat, lng: people.postLng, datum: .wgs84))
        await offers.grab(orderId: orderId)
        await mine.start(orderId: orderId)
        await detail.load()
        let read = try XCTUnwrap(detail.state.value.detail, "\(detail.state.value.phase)")
        XCTAssertEqual(read.order.id, orderId)
        XCTAssertEqual(read.description, "邻居装修噪音纠纷，希望咨询如何处理")
        XCTAssertEqual(read.areaCode, people.villageCode)
        XCTAssertEqual(read.attachments.count, 1)
        let file = try XCTUnwrap(read.attachments.first)
        XCTAssertEqual(detail.state.value.attachments[file.id], .notDownloaded)

        // Downloaded to a file, the same bytes.
        let folder = dir.appendingPathComponent("downloads")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        await detail.download(file.id, into: folder)
        guard case let .saved(path, bytes) = detail.state.value.attachments[file.id] else {
            return XCTFail("\(String(describing: detail.state.value.attachments[file.id]))")
        }
        XCTAssertEqual(bytes, UInt64(tinyPNG.count))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), tinyPNG)

        // The contact: a blank reason is refused by field; with one, read.
        await detail.readContact(reason: " ")
        guard case let .error(blank) = detail.state.value.contact else { return XCTFail("\(detail.state.value)") }
        XCTAssertEqual(blank.field, "reason")
        await detail.readContact(reason: "电话联系当事人了解情况")
        guard case let .read(contact) = detail.state.value.contact else { return XCTFail("\(detail.state.value)") }
        XCTAssertEqual(contact.phone, "13812345678")

        // Offline: said so, and the download fails without a partial file.
        server.stop()
        await detail.load()
        guard case let .offline(offline) = detail.state.value.phase else { return XCTFail("\(detail.state.value)") }
        XCTAssertEqual(offline.kind, .network)
        let again = folder.appendingPathComponent("again")
        try FileManager.default.createDirectory(at: again, withIntermediateDirectories: true)
        let offlineDetail = OrderDetailViewModel(client: volunteer, orderId: orderId)
        await offlineDetail.download(file.id, into: again)
        guard case .failed = offlineDetail.state.value.attachments[file.id] else {
            return XCTFail("\(offlineDetail.state.value)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: again.path), [])
        token.cancel()
    }
}
