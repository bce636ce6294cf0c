import Foundation
import XCTest
import LawCircle
import LawCircleFFI

/// The view models on a phone with no server (port 9 on loopback: nothing
/// listens there): what works offline, and the pure CoreLocation mapping.
@MainActor
final class ViewModelUnitTests: XCTestCase, @unchecked Sendable {
    private let dir = tempDir()

    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    private func offlinePhone() throws -> LawCircleClient {
        try phone("http://127.0.0.1:9", dir, "resident", "x")
    }

    /// data/longwan/facilities.csv of the repository this package is in.
    private var shippedCatalogue: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../data/longwan/facilities.csv").standardizedFileURL.path
    }

    func testAnAPNsTokenIsRegisteredAsItsBytesInLowercaseHex() async {
        XCTAssertEqual(PushRegistrationViewModel.hex(Data([0x00, 0x0f, 0xab, 0xff, 0x10])), "000fabff10")
        XCTAssertEqual(PushRegistrationViewModel.hex(Data()), "")
        XCTAssertEqual(PushRegistrationViewModel.hex(Data(repeating: 0xc3, count: 32)).count, 64)
    }

    func testALocationFixMapsToTheCoresFixFieldByField() async throws {
        let taken = Date(timeIntervalSince1970: 1_700_000_000.1234)
        let location = LocationFix(
            latitude: 27.93, longitude: 120.815, horizontalAccuracy: 12.5, speed: 1.4,
            timestamp: taken, uptime: 5_000.25, isSimulated: true)
        let fix = try XCTUnwrap(location.gpsFix)
        XCTAssertEqual(
            fix,
            GpsFix(
                lat: 27.93, lng: 120.815, datum: .wgs84, accuracyM: 12.5, source: .fused,
                isMock: true, wallTimeMs: 1_700_000_000_123, elapsedMs: 5_000_250, speedMps: 1.4))
        var unknownSpeed = location
        unknownSpeed.speed = -1
        XCTAssertNil(unknownSpeed.gpsFix?.speedMps)
        XCTAssertNotNil(unknownSpeed.gpsFix)
        var invalid = location
        invalid.horizontalAccuracy = -1
        XCTAssertNil(invalid.gpsFix, "CoreLocation's negative accuracy means no fix")
    }

    func testAnInvalidFixNeverReachesTheLiveCheck() async throws {
        let model = ClockInViewModel(client: try offlinePhone())
        model.onLocation(
            LocationFix(
                latitude: 27.93, longitude: 120.815, horizontalAccuracy: -1,
                timestamp: Date(), uptime: 1, isSimulated: false))
        XCTAssertNil(model.state.value.live)
        XCTAssertNil(model.state.value.liveError)
    }

    func testClockingInBeforeEverSigningInIsRefusedNamingTheCredentials() async throws {
        let model = ClockInViewModel(client: try offlinePhone())
        await model.refresh(near: nil)
        XCTAssertEqual(model.state.value.posts, .content([]), "offline with nothing fetched: no posts")
        await model.clockIn(.in)
        guard case let .error(error) = model.state.value.outcome else { return XCTFail("\(model.state.value)") }
        XCTAssertEqual(error.field, "credentials")
    }

    func testAShippedCatalogueIsSearchedOfflineAndTheWalksAreEstimated() async throws {
        let client = try offlinePhone()
        let installed = try await client.installCatalogueFile(path: shippedCatalogue)
        XCTAssertGreaterThan(installed, 100)
        let model = FindNearestViewModel(client: client, k: 3)
        XCTAssertEqual(model.state.value, .idle)
        model.setFilters(kinds: [.lawFirm])
        model.search(at: Point(lat: 27.93, lng: 120.815, datum: .gcj02))
        guard case let .content(found) = model.state.value else { return XCTFail("\(model.state.value)") }
        XCTAssertEqual(found.places.count, 3)
        XCTAssertTrue(found.places.allSatisfy { $0.kind == .lawFirm && $0.point.datum == .gcj02 })
        XCTAssertTrue(found.estimated)
        // Offline: the refresh says so, keeps the copy and searches again.
        await model.refreshCatalogue()
        guard case let .offline(status, _) = model.catalogue.value else { return XCTFail("\(model.catalogue.value)") }
        XCTAssertGreaterThan(status.facilities, 100)
        XCTAssertEqual(model.state.value, .content(found))
        do {
            _ = try await client.loadWalkingNetwork(path: dir.appendingPathComponent("none.lcwn").path)
            XCTFail("a missing network file is refused")
        } catch LawCircleError.InvalidInput {
        }
        await model.loadWalkingNetwork(path: dir.appendingPathComponent("none.lcwn").path)
        guard case let .error(error) = model.state.value else { return XCTFail("\(model.state.value)") }
        XCTAssertEqual(error.kind, .invalidInput)
    }

    func testTheNeedFormIsCheckedFieldByFieldAndClearedOnceQueued() async throws {
        let client = try offlinePhone()
        let model = NewNeedViewModel(client: client, blank: .blank(areaCode: "330303001001"))
        XCTAssertEqual(model.categories.first?.category, .consultation)
        XCTAssertTrue(model.state.value.problems.isEmpty, "a fresh form shows no problems")
        let valid = await model.validate()
        XCTAssertFalse(valid)
        let problems = model.state.value.problems
        XCTAssertNotNil(problems["requester.phone"], "\(problems.fields)")
        XCTAssertNotNil(problems["consent"] ?? problems["consent.given"], "\(problems.fields)")
        await model.edit {
            $0 = needForm(category: .mediation, areaCode: "330303001001")
            $0.requesterIdNumber = "110101199003070012"
        }.value
        XCTAssertNotNil(model.state.value.problems["requester.id_number"], "a bad check digit")
        await model.edit { $0.requesterIdNumber = nil }.value
        let files = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: files) }
        let fake = files.appendingPathComponent("photo.png")
        try Data("not a picture".utf8).write(to: fake)
        await model.addAttachment(fake).value
        XCTAssertNotNil(model.state.value.problems["attachments[0]"])
        await model.addAttachment(files.appendingPathComponent("gone.jpg")).value
        XCTAssertTrue(
            model.state.value.problems["attachments[1]"]?.contains("does not exist") ?? false,
            "\(model.state.value.problems.fields)")
        await model.removeAttachment(at: 1).value
        await model.removeAttachment(at: 0).value
        XCTAssertTrue(model.state.value.problems.isEmpty, "\(model.state.value.problems.fields)")
        await model.submit()
        guard case let .submitted(key) = model.state.value.phase else { return XCTFail("\(model.state.value)") }
        XCTAssertEqual(try client.outboxEntry(key: key).kind, .need)
        XCTAssertEqual(model.state.value.form.requesterPhone, "", "personal data is not kept once queued")
        XCTAssertEqual(model.state.value.form.areaCode, "330303001001")
    }

    func testTheOutboxOfflineRetryAndDiscard() async throws {
        let client = try offlinePhone()
        let model = OutboxViewModel(client: client)
        await model.start()
        XCTAssertEqual(model.state.value.entries, [])
        let key = try await client.submitNeed(form: needForm(category: .consultation, areaCode: "330303001001"))
        let seen = try await waitFor(model.state) { $0.entries.map(\.key) == [key] }
        XCTAssertNotNil(seen, "seen live through watchOutbox")
        XCTAssertEqual(model.state.value.counts.pending, 1)
        await model.sync(maxWaitMs: 0)
        guard case let .failed(error) = model.state.value.sync else { return XCTFail("\(model.state.value.sync)") }
        XCTAssertEqual(error.kind, .network)
        XCTAssertEqual(model.state.value.counts.pending, 1, "nothing is lost offline")
        await model.retry(key: "no-such-key")
        XCTAssertEqual(model.state.value.error?.field, "key")
        await model.discard(key: key)
        XCTAssertNil(model.state.value.error)
        XCTAssertEqual(model.state.value.counts.pending, 0)
        model.stop()
        _ = try await client.submitNeed(form: needForm(category: .consultation, areaCode: "330303001001"))
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
        model.open(serviceCode: ApplicationFormViewModel.legalAidCode)
        XCTAssertNil(model.state.value.open)
        guard case let .error(missing) = model.state.value.forms else { return XCTFail("\(model.state.value.forms)") }
        XCTAssertEqual(missing.field, "service_code")
    }

    func testOrderActionsOfflineAreErrorsNotTakenOrders() async throws {
        let model = OrderOffersViewModel(
            client: try offlinePhone(),
            position: Point(lat: 27.93, lng: 120.815, datum: .wgs84))
        await model.grab(orderId: "ord-1")
        guard case let .error(error) = model.state.value.action else { return XCTFail("\(model.state.value)") }
        XCTAssertEqual(error.kind, .network)
        await model.grab(orderId: "../admin")
        guard case let .error(bad) = model.state.value.action else { return XCTFail("\(model.state.value)") }
        XCTAssertEqual(bad.field, "order_id")
    }

    func testLocationAccessIsShownInWordsAndOnlyPreciseLetsTheClockInGoAhead() async throws {
        let model = ClockInViewModel(client: try offlinePhone())
        XCTAssertEqual(model.state.value.access, .notDetermined)
        for access in [LocationAccess.notDetermined, .denied, .restricted, .approximate] {
            model.onAccess(access)
            XCTAssertEqual(model.state.value.access, access)
            for language in LawCircle.Language.allCases {
                let words = try XCTUnwrap(access.explanation(Strings(language)), "\(access)")
                XCTAssertFalse(words.contains("_"), "words, not codes: \(words)")
            }
            XCTAssertNotEqual(access.explanation(Strings(.chinese)), access.explanation(Strings(.english)))
        }
        XCTAssertTrue(
            LocationAccess.denied.explanation(Strings(.english))!.contains("Settings"), "denied says where to change it"
        )
        XCTAssertTrue(LocationAccess.denied.explanation()!.contains("设置"), "Chinese by default")
        model.onAccess(.precise)
        XCTAssertNil(model.state.value.access.explanation())
    }

    func testTheMonotonicClockAdvancesAndIsTheOneTheTapIsReadWith() async throws {
        let before = MonotonicClock.seconds()
        let tap = DeviceTime.now()
        try await Task.sleep(nanoseconds: 20_000_000)
        let after = MonotonicClock.seconds()
        XCTAssertGreaterThan(after, before)
        XCTAssertGreaterThanOrEqual(Double(tap.elapsedMs) / 1000, before - 0.001)
        XCTAssertLessThanOrEqual(Double(tap.elapsedMs) / 1000, after + 0.001)
    }

    func testPointsAreDrawnOnMapKitInGcj02AndTapsComeBackInWgs84() async throws {
        // Longwan: the GCJ-02 offset is a few hundred metres.
        let gps = Point(lat: 27.93, lng: 120.815, datum: .wgs84)
        let drawn = try MapDatum.display(gps)
        XCTAssertEqual(drawn.datum, .gcj02)
        let shift = try distanceM(a: gps, b: Point(lat: drawn.lat, lng: drawn.lng, datum: .wgs84))
        XCTAssertGreaterThan(shift, 100, "drawn where MapKit's China map has the place")
        XCTAssertLessThan(shift, 1_000)
        let back = try MapDatum.tapped(lat: drawn.lat, lng: drawn.lng)
        XCTAssertEqual(back.datum, .wgs84)
        XCTAssertLessThan(try distanceM(a: gps, b: back), 0.01, "a tap on the pin is the place")
        // A point already in the map's datum is drawn as it is.
        XCTAssertEqual(try MapDatum.display(drawn), drawn)
        // Outside mainland China nothing moves (Helsinki).
        let helsinki = Point(lat: 60.17, lng: 24.94, datum: .wgs84)
        let there = try MapDatum.display(helsinki)
        XCTAssertEqual(there.lat, helsinki.lat)
        XCTAssertEqual(there.lng, helsinki.lng)
    }

    func testNavigateOffersTheMapAppsThePhoneCanOpenEachInItsDatum() async throws {
        let centre = Point(lat: 27.9125, lng: 120.8213, datum: .wgs84)
        let none = try PlaceHandoffs.mapChoices(place: centre, name: "中心") { _ in false }
        XCTAssertTrue(none.isEmpty, "no map app: the address only")
        let installed: Set<String> = ["iosamap", "maps"]
        let choices = try PlaceHandoffs.mapChoices(place: centre, name: "龙湾区公共法律服务中心") {
            installed.contains($0.scheme ?? "")
        }
        XCTAssertEqual(choices.map(\.0.app), [.amap, .appleMaps])
        let amap = try XCTUnwrap(URLComponents(url: choices[0].1, resolvingAgainstBaseURL: false))
        let query = Dictionary(uniqueKeysWithValues: (amap.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        let gcj = try convertPoint(point: centre, to: .gcj02)
        XCTAssertEqual(Double(query["dlat"] ?? "") ?? 0, gcj.lat, accuracy: 1e-6)
        XCTAssertEqual(Double(query["dlon"] ?? "") ?? 0, gcj.lng, accuracy: 1e-6)
        XCTAssertEqual(query["dname"], "龙湾区公共法律服务中心")
        XCTAssertEqual(query["t"], "2", "on foot")
        XCTAssertEqual(PlaceHandoffs.dialURL("电话 0577-86968800")?.absoluteString, "tel:0577-86968800")
        XCTAssertNil(PlaceHandoffs.dialURL("无 none"))
    }
}
