import Foundation
import XCTest
import LawCircle
import LawCircleFFI

/// The view models on a phone with no server (port 9 on loopback: nothing
/// listens there): what works offline, and the pure CoreLocation mapping.
final class ViewModelUnitTests: XCTestCase {
    private var dir = tempDir()

    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    private func offlinePhone() throws -> LawCircleClient {
        try phone("http://127.0.0.1:9", dir, "resident", "x")
    }

    /// data/longwan/facilities.csv of the repository this package is in.
    private var shippedCatalogue: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../data/longwan/facilities.csv").standardizedFileURL.path
    }

    func testAnAPNsTokenIsRegisteredAsItsBytesInLowercaseHex() {
        XCTAssertEqual(PushRegistrationViewModel.hex(Data([0x00, 0x0f, 0xab, 0xff, 0x10])), "000fabff10")
        XCTAssertEqual(PushRegistrationViewModel.hex(Data()), "")
        XCTAssertEqual(PushRegistrationViewModel.hex(Data(repeating: 0xc3, count: 32)).count, 64)
    }

    func testALocationFixMapsToTheCoresFixFieldByField() throws {
        let taken = Date(timeIntervalSince1970: 1_700_000_000.1234)
        let location = LocationFix(latitude: 27.93, longitude: 120.815, horizontalAccuracy: 12.5, speed: 1.4,
                                   timestamp: taken, uptime: 5_000.25, isSimulated: true)
        let fix = try XCTUnwrap(location.gpsFix)
        XCTAssertEqual(fix, GpsFix(lat: 27.93, lng: 120.815, datum: .wgs84, accuracyM: 12.5, source: .fused,
                                   isMock: true, wallTimeMs: 1_700_000_000_123, elapsedMs: 5_000_250, speedMps: 1.4))
        var unknownSpeed = location
        unknownSpeed.speed = -1
        XCTAssertNil(unknownSpeed.gpsFix?.speedMps)
        XCTAssertNotNil(unknownSpeed.gpsFix)
        var invalid = location
        invalid.horizontalAccuracy = -1
        XCTAssertNil(invalid.gpsFix, "CoreLocation's negative accuracy means no fix")
    }

    func testAnInvalidFixNeverReachesTheLiveCheck() throws {
        let model = ClockInViewModel(client: try offlinePhone())
        model.onLocation(LocationFix(latitude: 27.93, longitude: 120.815, horizontalAccuracy: -1,
                                     timestamp: Date(), uptime: 1, isSimulated: false))
        XCTAssertNil(model.state.value.live)
        XCTAssertNil(model.state.value.liveError)
    }

    func testClockingInBeforeEverSigningInIsRefusedNamingTheCredentials() async throws {
        let model = ClockInViewModel(client: try offlinePhone())
        await model.refresh(near: nil)
        XCTAssertEqual(model.state.value.posts, .content([]), "offline with nothing fetched: no posts")
        model.clockIn(.in)
        guard case let .error(error) = model.state.value.outcome else { return XCTFail("\(model.state.value)") }
        XCTAssertEqual(error.field, "credentials")
    }

    func testAShippedCatalogueIsSearchedOfflineAndTheWalksAreEstimated() async throws {
        let client = try offlinePhone()
        XCTAssertGreaterThan(try client.installCatalogueFile(path: shippedCatalogue), 100)
        let model = FindNearestViewModel(client: client, k: 3)
        XCTAssertEqual(model.state.value, .idle)
        model.setFilters(kinds: ["law_firm"])
        model.search(at: Point(lat: 27.93, lng: 120.815, datum: .gcj02))
        guard case let .content(found) = model.state.value else { return XCTFail("\(model.state.value)") }
        XCTAssertEqual(found.places.count, 3)
        XCTAssertTrue(found.places.allSatisfy { $0.kind == "law_firm" && $0.point.datum == .gcj02 })
        XCTAssertTrue(found.estimated)
        // Offline: the refresh says so, keeps the copy and searches again.
        await model.refreshCatalogue()
        guard case let .offline(status, _) = model.catalogue.value else { return XCTFail("\(model.catalogue.value)") }
        XCTAssertGreaterThan(status.facilities, 100)
        XCTAssertEqual(model.state.value, .content(found))
        XCTAssertThrowsError(try client.loadWalkingNetwork(path: dir.appendingPathComponent("none.lcwn").path))
        model.loadWalkingNetwork(path: dir.appendingPathComponent("none.lcwn").path)
        guard case let .error(error) = model.state.value else { return XCTFail("\(model.state.value)") }
        XCTAssertEqual(error.kind, .invalidInput)
    }

    func testTheNeedFormIsCheckedFieldByFieldAndClearedOnceQueued() throws {
        let client = try offlinePhone()
        let model = NewNeedViewModel(client: client, blank: .blank(areaCode: "330303001001"))
        XCTAssertEqual(model.categories.first?.code, "consultation")
        XCTAssertTrue(model.state.value.problems.isEmpty, "a fresh form shows no problems")
        XCTAssertFalse(model.validate())
        let problems = model.state.value.problems
        XCTAssertNotNil(problems["requester.phone"], "\(problems.fields)")
        XCTAssertNotNil(problems["consent"] ?? problems["consent.given"], "\(problems.fields)")
        model.edit {
            $0 = needForm(category: "mediation", areaCode: "330303001001")
            $0.requesterIdNumber = "110101199003070012"
        }
        XCTAssertNotNil(model.state.value.problems["requester.id_number"], "a bad check digit")
        model.edit { $0.requesterIdNumber = nil }
        model.addAttachment(Data("not a picture".utf8), mediaType: "image/png")
        XCTAssertNotNil(model.state.value.problems["attachments[0]"])
        model.removeAttachment(at: 0)
        XCTAssertTrue(model.state.value.problems.isEmpty, "\(model.state.value.problems.fields)")
        model.submit()
        guard case let .submitted(key) = model.state.value.phase else { return XCTFail("\(model.state.value)") }
        XCTAssertEqual(try client.outboxEntry(key: key).kind, .need)
        XCTAssertEqual(model.state.value.form.requesterPhone, "", "personal data is not kept once queued")
        XCTAssertEqual(model.state.value.form.areaCode, "330303001001")
    }

    func testTheOutboxOfflineRetryAndDiscard() async throws {
        let client = try offlinePhone()
        let model = OutboxViewModel(client: client)
        model.start()
        XCTAssertEqual(model.state.value.entries, [])
        let key = try client.submitNeed(form: needForm(category: "consultation", areaCode: "330303001001"))
        XCTAssertEqual(model.state.value.entries.map(\.key), [key], "seen live through watchOutbox")
        XCTAssertEqual(model.state.value.counts.pending, 1)
        await model.sync(maxWaitMs: 0)
        guard case let .failed(error) = model.state.value.sync else { return XCTFail("\(model.state.value.sync)") }
        XCTAssertEqual(error.kind, .network)
        XCTAssertEqual(model.state.value.counts.pending, 1, "nothing is lost offline")
        model.retry(key: "no-such-key")
        XCTAssertEqual(model.state.value.error?.field, "key")
        model.discard(key: key)
        XCTAssertNil(model.state.value.error)
        XCTAssertEqual(model.state.value.counts.pending, 0)
        model.stop()
        _ = try client.submitNeed(form: needForm(category: "consultation", areaCode: "330303001001"))
        XCTAssertEqual(model.state.value.counts.pending, 0, "a stopped screen hears nothing")
    }

    func testABadScoreIsRefusedByTheCoreBeforeAnyNetwork() async throws {
        let model = RatingViewModel(client: try offlinePhone(), orderId: "ord-1")
        await model.submit()
        guard case let .error(none) = model.state.value.phase else { return XCTFail("\(model.state.value)") }
        XCTAssertEqual(none.field, "score", "no score picked")
        model.setScore(300)
        await model.submit()
        guard case let .error(huge) = model.state.value.phase else { return XCTFail("\(model.state.value)") }
        XCTAssertEqual(huge.field, "score")
        model.setScore(5)
        XCTAssertEqual(model.state.value.phase, .editing)
        await model.submit()
        guard case let .error(offline) = model.state.value.phase else { return XCTFail("\(model.state.value)") }
        XCTAssertEqual(offline.kind, .network)
    }

    func testWithoutFormsOnThePhoneTheListSaysWhy() async throws {
        let model = ApplicationFormViewModel(client: try offlinePhone())
        await model.loadForms()
        guard case let .error(error) = model.state.value.forms else { return XCTFail("\(model.state.value.forms)") }
        XCTAssertEqual(error.kind, .network)
        model.open(serviceCode: "legal_aid")
        XCTAssertNil(model.state.value.open)
        guard case let .error(missing) = model.state.value.forms else { return XCTFail("\(model.state.value.forms)") }
        XCTAssertEqual(missing.field, "service_code")
    }

    func testOrderActionsOfflineAreErrorsNotTakenOrders() async throws {
        let model = OrderOffersViewModel(client: try offlinePhone(),
                                         position: Point(lat: 27.93, lng: 120.815, datum: .wgs84))
        await model.grab(orderId: "ord-1")
        guard case let .error(error) = model.state.value.action else { return XCTFail("\(model.state.value)") }
        XCTAssertEqual(error.kind, .network)
        await model.grab(orderId: "../admin")
        guard case let .error(bad) = model.state.value.action else { return XCTFail("\(model.state.value)") }
        XCTAssertEqual(bad.field, "order_id")
    }
}
