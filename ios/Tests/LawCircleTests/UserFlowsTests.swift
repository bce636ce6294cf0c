import Foundation
import XCTest
import LawCircle
import LawCircleFFI

/// The user flows of bindings/tests/client_flows.rs (and of the Kotlin
/// suite), driven through the view models against the real server process
/// and the seed-people fixture. Only the GPS chip is played by the test.
@MainActor
final class UserFlowsTests: XCTestCase, @unchecked Sendable {
    /// A server with the demo data and the flows' people.
    /// Whether a QR finder pattern (7×7: dark ring, light ring, dark 3×3
    /// centre) has its top left at `top`, `left` of the state's matrix.
    private func finderAt(_ state: RatingLinkState, _ top: Int, _ left: Int) -> Bool {
        (0..<7).allSatisfy { r in
            (0..<7).allSatisfy { c in
                let ring = min(r, c, 6 - r, 6 - c)
                return state.isDark(row: top + r, col: left + c) == (ring != 1)
            }
        }
    }

    private func world() throws -> (TestServer, People) {
        // Push endpoints on loopback (where nothing listens) are let in for tests only.
        let server = try TestServer(["--demo", "--push-allow-plain-http"])
        return (server, try server.seedPeople())
    }

    func testFindTheNearestServicePointOffline() async throws {
        let (server, people) = try world()
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let here = Point(lat: people.postLat, lng: people.postLng, datum: .wgs84)
        let online = FindNearestViewModel(
            client: try phone(server.baseURL, dir, "resident", people.resident.password), k: 5)
        online.setFilters(products: [.mediation])
        await online.refreshCatalogue()
        guard case let .fresh(status) = online.catalogue.value else {
            return XCTFail("\(online.catalogue.value)")
        }
        XCTAssertGreaterThan(status.facilities, 100)
        XCTAssertGreaterThan(status.dutyPosts, 0)
        online.search(at: here)
        guard case let .content(found) = online.state.value else { return XCTFail("\(online.state.value)") }
        XCTAssertEqual(found.places.count, 5)
        XCTAssertTrue(found.places.allSatisfy { $0.products.contains(.mediation) })
        let walks = found.places.map { $0.walkingM ?? .infinity }
        XCTAssertEqual(walks, walks.sorted(), "nearest first")
        XCTAssertTrue(found.places.allSatisfy(\.walkingEstimated))
        XCTAssertTrue(found.estimated, "no walking network: the screen says estimated")
        server.stop()

        // Offline, from a new client on the same phone database.
        let offline = FindNearestViewModel(client: try phone("http://127.0.0.1:9", dir, "resident", "x"), k: 5)
        offline.setFilters(products: [.mediation])
        await offline.refreshCatalogue()
        guard case let .offline(kept, reason) = offline.catalogue.value else {
            return XCTFail("\(offline.catalogue.value)")
        }
        XCTAssertEqual(kept.facilities, status.facilities)
        XCTAssertFalse(reason.isEmpty)
        offline.search(at: here)
        guard case let .content(again) = offline.state.value else { return XCTFail("\(offline.state.value)") }
        XCTAssertEqual(again.places, found.places)
        XCTAssertEqual(again.coverage.total, 8)
        XCTAssertGreaterThanOrEqual(again.coverage.covered, 1)
        // A fix that cannot be (latitude past the pole) is an error naming the field.
        offline.search(at: Point(lat: 95, lng: 120.7, datum: .wgs84))
        guard case let .error(error) = offline.state.value else { return XCTFail("\(offline.state.value)") }
        XCTAssertEqual(error.field, "lat")
    }

    /// The device's clocks when the volunteer taps, read with the fix.
    private func tapped(_ location: LocationFix) throws -> DeviceTime {
        let fix = try XCTUnwrap(location.gpsFix)
        return DeviceTime(wallMs: fix.wallTimeMs, elapsedMs: fix.elapsedMs)
    }

    func testClockInInsideAndOutsideTheFence() async throws {
        let (server, people) = try world()
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let client = try phone(server.baseURL, dir, "volunteer", people.volunteer.password)
        let model = ClockInViewModel(client: client)
        let here = Point(lat: people.postLat, lng: people.postLng, datum: .wgs84)
        await model.refresh(near: here)
        XCTAssertEqual(client.account()?.id, people.volunteer.id)
        guard case let .content(posts) = model.state.value.posts else { return XCTFail("\(model.state.value)") }
        XCTAssertEqual(posts.first?.id, people.postId)
        XCTAssertEqual(model.state.value.selectedPostId, people.postId)

        // An hour ago at the post: inside, live and punched.
        // The tap reads the same two clocks as the fix.
        let atPost = LocationFix(
            latitude: people.postLat, longitude: people.postLng, horizontalAccuracy: 8,
            timestamp: Date().addingTimeInterval(-3600), uptime: uptime() - 3600,
            isSimulated: false)
        let then = try tapped(atPost)
        model.onLocation(atPost, at: then)
        XCTAssertEqual(model.state.value.live?.verdict, .inside, "\(model.state.value)")
        await model.clockIn(.in, at: then)
        guard case let .punched(.in, inside) = model.state.value.outcome else {
            return XCTFail("\(model.state.value.outcome)")
        }
        XCTAssertEqual(inside.check.verdict, .inside)

        // Now, 1 km north: outside, still recorded (flagged for staff).
        let north = LocationFix(
            latitude: people.postLat + 0.009, longitude: people.postLng,
            horizontalAccuracy: 8, timestamp: Date(), uptime: uptime(), isSimulated: false)
        let now = try tapped(north)
        model.onLocation(north, at: now)
        XCTAssertEqual(model.state.value.live?.verdict, .outside)
        await model.clockIn(.out, at: now)
        guard case let .punched(.out, outside) = model.state.value.outcome else {
            return XCTFail("\(model.state.value.outcome)")
        }
        XCTAssertEqual(outside.check.verdict, .outside)
        XCTAssertTrue(outside.check.reasons.contains("outside_fence"), "\(outside.check)")

        let outbox = OutboxViewModel(client: client)
        await outbox.start()
        XCTAssertEqual(outbox.state.value.counts.pending, 2)
        await outbox.sync(maxWaitMs: 30_000)
        guard case let .done(report) = outbox.state.value.sync else { return XCTFail("\(outbox.state.value.sync)") }
        XCTAssertEqual([report.sent, report.pending, report.wedged], [2, 0, 0], "\(outbox.state.value.entries)")
        outbox.stop()

        // The server re-checked with the same rules and agrees.
        let staff = try await Api.login(server.baseURL, "staff", people.staff.password)
        let (status, body) = try await staff.get("/api/v1/punches/review-queue")
        XCTAssertEqual(status, 200)
        let queue = try XCTUnwrap(body as? [[String: Any]])
        func entry(_ id: String) -> [String: Any]? {
            queue.first { ($0["punch"] as? [String: Any])?["id"] as? String == id }
        }
        for (receipt, verdict) in [(inside, "inside"), (outside, "outside")] {
            let punch = try XCTUnwrap(entry(receipt.punchId)?["punch"] as? [String: Any], "punch on the server")
            XCTAssertEqual((punch["device_decision"] as? [String: Any])?["verdict"] as? String, verdict)
            XCTAssertEqual((punch["server_decision"] as? [String: Any])?["verdict"] as? String, verdict)
        }
        func notInside(_ id: String) -> Bool {
            (entry(id)?["warnings"] as? [[String: Any]] ?? []).contains { $0["type"] as? String == "not_inside" }
        }
        XCTAssertTrue(notInside(outside.punchId), "the outside punch is flagged")
        XCTAssertFalse(notInside(inside.punchId))

        // An unknown post is refused before anything is queued.
        model.select(postId: "LW-NOPE")
        await model.clockIn(.in, at: DeviceTime.now())
        guard case let .error(error) = model.state.value.outcome else { return XCTFail("\(model.state.value.outcome)") }
        XCTAssertEqual(error.field, "post_id")
        XCTAssertEqual(try client.outboxCounts().pending, 0)
        server.stop()
    }

    func testSubmitANeedOfflineThenSync() async throws {
        let (first, people) = try world()
        var server = first
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let client = try phone(server.baseURL, dir, "resident", people.resident.password)
        _ = try await client.signIn()
        server.stop()
        let outbox = OutboxViewModel(client: client)
        let seen = Recorder<OutboxScreenState>()
        let token = outbox.state.observe(seen.add)
        await outbox.start()

        // A bad form is refused field by field and nothing is queued.
        let need = NewNeedViewModel(
            client: client,
            blank: needForm(
                category: .consultation,
                areaCode: people.villageCode))
        await need.edit { $0.requesterPhone = "12345" }.value
        let valid = await need.validate()
        XCTAssertFalse(valid)
        XCTAssertNotNil(need.state.value.problems["requester.phone"], "\(need.state.value.problems)")
        await need.submit()
        XCTAssertEqual(need.state.value.phase, .editing)
        XCTAssertEqual(outbox.state.value.counts.pending, 0)

        // Fixed, with a photo: queued offline, durable.
        await need.edit { $0.requesterPhone = "13812345678" }.value
        XCTAssertTrue(need.state.value.problems.isEmpty, "problems clear as the field is fixed")
        let photo = dir.appendingPathComponent("cache-photo.png")
        try tinyPNG.write(to: photo)
        await need.addAttachment(photo).value
        await need.submit()
        guard case let .submitted(key) = need.state.value.phase else { return XCTFail("\(need.state.value)") }
        let queued = try await waitFor(outbox.state) { $0.counts.pending == 2 }
        XCTAssertNotNil(queued, "need + photo, seen live")
        await outbox.sync(maxWaitMs: 0)
        guard case let .failed(offline) = outbox.state.value.sync else { return XCTFail("\(outbox.state.value.sync)") }
        XCTAssertEqual(offline.kind, .network)
        XCTAssertNotEqual(outbox.state.value.entries.first { $0.key == key }?.state, .sent)
        XCTAssertEqual(outbox.state.value.counts.pending, 2)

        // Back online on the same address: delivered once.
        server = try server.restarted()
        await outbox.sync(maxWaitMs: 30_000)
        guard case let .done(report) = outbox.state.value.sync else { return XCTFail("\(outbox.state.value.sync)") }
        XCTAssertEqual(report.pending, 0, "\(report)")
        XCTAssertEqual(outbox.state.value.entries.first { $0.key == key }?.state, .sent)
        await outbox.sync(maxWaitMs: 5_000)
        guard case let .done(again) = outbox.state.value.sync else { return XCTFail("\(outbox.state.value.sync)") }
        XCTAssertEqual(again.sent, 0, "nothing is sent twice")
        let mine = try await client.myNeeds()
        XCTAssertEqual(mine.count, 1)
        XCTAssertEqual(mine.first?.clientKey, key)
        XCTAssertEqual(mine.first?.orderState, .open)
        // The listener kept the screen live: it saw the need in flight.
        XCTAssertTrue(seen.all.contains { $0.entries.contains { $0.key == key && $0.state == .sending } })
        token.cancel()
        outbox.stop()
        server.stop()
    }

    func testRegisterAPushEndpointAfterSignInAndUnregisterIt() async throws {
        let (server, people) = try world()
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let volunteer = try phone(server.baseURL, dir, "volunteer", people.volunteer.password)
        _ = try await volunteer.signIn()
        let push = PushRegistrationViewModel(client: volunteer)
        await push.loadServerKey()
        XCTAssertEqual(push.state.value.serverKey?.count, 87, "\(String(describing: push.state.value.error))")
        // A loopback endpoint where nothing listens: nothing leaves the machine.
        let endpoint = "https://127.0.0.1:9/push/swift"
        await push.onNewEndpoint(
            endpoint, p256dh: "B" + String(repeating: "A", count: 86),
            auth: String(repeating: "A", count: 22))
        let id = try XCTUnwrap(push.state.value.deviceId, "\(String(describing: push.state.value.error))")
        XCTAssertEqual(push.state.value.endpoint, endpoint)
        // A bad key is refused with the field named; the device stays.
        await push.onNewEndpoint(
            "https://127.0.0.1:9/push/swift-2", p256dh: "xx",
            auth: String(repeating: "A", count: 22))
        XCTAssertEqual(push.state.value.error?.field, "p256dh")
        XCTAssertEqual(push.state.value.deviceId, id)
        // This server has no APNs: an iPhone's token is refused, saying so.
        await push.onAPNsToken(Data(repeating: 0xab, count: 32))
        XCTAssertEqual(push.state.value.error?.field, "kind")
        XCTAssertEqual(push.state.value.deviceId, id)
        await push.unregister()
        XCTAssertNil(push.state.value.deviceId)
        XCTAssertNil(push.state.value.error)
        server.stop()
    }

    /// A P-256 key (PKCS#8) made for this test only, never known to Apple:
    /// the server needs a .p8 to start APNs; nothing is sent to Apple (the
    /// APNs URL is a loopback port where nothing listens).
    private static let testP8 = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgFbq/Tnbmb14UTd15
        T/+YTCeHIZmoBe/S8+xndGOqJbGhRANCAARgHBNla8k9Bm7lTGhjjWf+sQP0UroN
        bmorVWnwRg5CTfzR52/dQ3UlzLR5qL3mlQjA1SMsS/p3XUHb3RXwiIUH
        -----END PRIVATE KEY-----

        """

    func testRegisterTheAPNsDeviceTokenIOSGivesAndUnregisterIt() async throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let key = dir.appendingPathComponent("AuthKey_TEST000001.p8")
        try Self.testP8.write(to: key, atomically: true, encoding: .utf8)
        let server = try TestServer([
            "--demo", "--apns-url", "https://127.0.0.1:9",
            "--apns-team-id", "TEAM000001", "--apns-key-id", "TEST000001",
            "--apns-key-file", key.path, "--apns-topic", "org.lawcircle.app",
        ])
        let people = try server.seedPeople()
        let volunteer = try phone(server.baseURL, dir, "volunteer", people.volunteer.password)
        _ = try await volunteer.signIn()
        let push = PushRegistrationViewModel(client: volunteer)
        // The 32 bytes iOS gives, registered as lowercase hex.
        let token = Data((0..<32).map { UInt8(($0 * 37 + 11) & 0xff) })
        await push.onAPNsToken(token)
        let id = try XCTUnwrap(push.state.value.deviceId, "\(String(describing: push.state.value.error))")
        let hex = PushRegistrationViewModel.hex(token)
        XCTAssertEqual(push.state.value.endpoint, hex)
        XCTAssertEqual(hex.count, 64)
        // The same token again is the same device.
        await push.onAPNsToken(token)
        XCTAssertEqual(push.state.value.deviceId, id)
        // A token of the wrong length is refused with the field; the device stays.
        await push.onAPNsToken(Data([1, 2, 3]))
        XCTAssertEqual(push.state.value.error?.field, "token_hex")
        XCTAssertEqual(push.state.value.deviceId, id)
        await push.unregister()
        XCTAssertNil(push.state.value.deviceId)
        XCTAssertNil(push.state.value.error)
        server.stop()
    }

    func testReceiveAnOrderOfferGrabItResolveItAndRateIt() async throws {
        let (server, people) = try world()
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let volunteer = try phone(server.baseURL, dir, "volunteer", people.volunteer.password)
        let resident = try phone(server.baseURL, dir, "resident", people.resident.password)
        let here = Point(lat: people.postLat, lng: people.postLng, datum: .wgs84)
        let offers = OrderOffersViewModel(client: volunteer, position: here)
        offers.start()

        let need = NewNeedViewModel(
            client: resident,
            blank: needForm(
                category: .consultation,
                areaCode: people.villageCode))
        await need.submit()
        guard case let .submitted(key) = need.state.value.phase else { return XCTFail("\(need.state.value)") }
        let outbox = OutboxViewModel(client: resident)
        await outbox.sync(maxWaitMs: 30_000)
        let result = try XCTUnwrap(
            outbox.state.value.entries.first { $0.key == key }?.result,
            "\(outbox.state.value)")
        let receipt = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.utf8)) as? [String: Any])
        let orderId = try XCTUnwrap(receipt["order_id"] as? String)

        let offered = try await waitFor(offers.state) { $0.offers.contains { $0.id == orderId } }
        XCTAssertNotNil(offered, "the offer reached the volunteer's listener: \(offers.state.value)")
        XCTAssertEqual(offers.state.value.connection, .live)

        await offers.grab(orderId: orderId)
        guard case let .done(grabbed) = offers.state.value.action else {
            return XCTFail("\(offers.state.value.action)")
        }
        XCTAssertEqual(grabbed.state, .claimed)
        XCTAssertEqual(grabbed.assignee, String(people.volunteer.id))
        // The holder reads the requester's contact, with a reason (audited).
        await offers.readContact(orderId: orderId, reason: "电话联系当事人了解情况")
        XCTAssertEqual(offers.state.value.contact?.phone, "13812345678", "\(offers.state.value.action)")
        // A second grab is a conflict, shown as taken.
        await offers.grab(orderId: orderId)
        XCTAssertEqual(offers.state.value.action, .takenBySomeoneElse(orderId: orderId))
        await offers.startWork(orderId: orderId)
        guard case .done = offers.state.value.action else { return XCTFail("\(offers.state.value.action)") }
        await offers.resolve(orderId: orderId, note: "已解答")
        guard case let .done(resolved) = offers.state.value.action else {
            return XCTFail("\(offers.state.value.action)")
        }
        XCTAssertEqual(resolved.state, .resolved)
        offers.stop()

        // The resident rates it, once.
        let rate = RatingViewModel(client: resident, orderId: orderId)
        rate.setScore(9)
        await rate.submit()
        guard case let .error(bad) = rate.state.value.phase else { return XCTFail("\(rate.state.value)") }
        XCTAssertEqual(bad.field, "score")
        rate.setScore(5)
        rate.setComment("很专业")
        await rate.submit()
        guard case let .rated(rated) = rate.state.value.phase else { return XCTFail("\(rate.state.value)") }
        XCTAssertEqual(rated.state, .evaluated)
        await rate.submit()
        XCTAssertEqual(rate.state.value.phase, .rated(rated), "the screen rates once")
        let again = RatingViewModel(client: resident, orderId: orderId)
        again.setScore(4)
        await again.submit()
        guard case let .error(twice) = again.state.value.phase else { return XCTFail("\(again.state.value)") }
        XCTAssertEqual(twice.kind, .conflict, "the server rates once")
        server.stop()
    }

    func testRegisterBySmsCodeFileFollowAndRateAndTheHolderShowsTheRatingLink() async throws {
        let sms = try FakeSms()
        let server = try TestServer(["--demo"] + sms.serverArgs)
        let people = try server.seedPeople()
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let number = "13700003333"
        let newcomer = try phone(server.baseURL, dir, number, "a long passphrase")

        let register = RegisterViewModel(client: newcomer)
        register.edit { $0.phone = "12345" }
        await register.requestCode()
        guard case let .error(badPhone) = register.state.value.phase else { return XCTFail("\(register.state.value)") }
        XCTAssertEqual(badPhone.field, "phone")
        register.edit { $0.phone = number }
        await register.requestCode()
        guard case .codeSent = register.state.value.phase else { return XCTFail("\(register.state.value)") }
        let code = try await sms.waitFor(number, FakeSms.codeTemplate)["code"] ?? ""
        register.edit {
            $0.code = "000"
            $0.displayName = "陈女士"
            $0.password = "a long passphrase"
        }
        await register.submit()
        guard case let .error(badCode) = register.state.value.phase else { return XCTFail("\(register.state.value)") }
        XCTAssertEqual(badCode.field, "code")
        register.edit { $0.code = code }
        await register.submit()
        guard case let .signedIn(account) = register.state.value.phase else {
            return XCTFail("\(register.state.value)")
        }
        XCTAssertEqual(account.role, .resident)

        // The resident files a consultation for themselves and follows it.
        var form = needForm(category: .consultation, areaCode: people.villageCode)
        form.requesterName = "陈女士"
        form.requesterPhone = number
        let need = NewNeedViewModel(client: newcomer, blank: form)
        await need.submit()
        guard case let .submitted(key) = need.state.value.phase else { return XCTFail("\(need.state.value)") }
        let outbox = OutboxViewModel(client: newcomer)
        await outbox.sync(maxWaitMs: 30_000)
        let result = try XCTUnwrap(
            outbox.state.value.entries.first { $0.key == key }?.result,
            "\(outbox.state.value)")
        let receipt = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.utf8)) as? [String: Any])
        let orderId = try XCTUnwrap(receipt["order_id"] as? String)
        let mine = MyNeedsViewModel(client: newcomer)
        await mine.refresh()
        XCTAssertEqual(mine.state.value.needs.map(\.orderId), [orderId], "\(mine.state.value)")
        XCTAssertTrue(mine.state.value.rateable.isEmpty)
        XCTAssertNil(mine.rating(for: try XCTUnwrap(mine.state.value.needs.first)), "not resolved yet")

        // The volunteer takes it, resolves it and shows the rating link.
        let volunteer = try phone(server.baseURL, dir, "volunteer", people.volunteer.password)
        let here = Point(lat: people.postLat, lng: people.postLng, datum: .wgs84)
        let offers = OrderOffersViewModel(client: volunteer, position: here)
        await offers.grab(orderId: orderId)
        guard case .done = offers.state.value.action else { return XCTFail("\(offers.state.value.action)") }
        await offers.startWork(orderId: orderId)
        await offers.resolve(orderId: orderId, note: "已解答")
        guard case .done = offers.state.value.action else { return XCTFail("\(offers.state.value.action)") }
        let qr = RatingLinkViewModel(client: volunteer, orderId: orderId)
        await qr.load()
        guard case let .ready(link) = qr.state.value.phase else { return XCTFail("\(qr.state.value)") }
        XCTAssertTrue(link.url.hasPrefix(server.baseURL + "/r/"), link.url)
        // Its QR code, as the screen draws it: square, the size the server
        // said, a finder pattern in three corners.
        let state = qr.state.value
        let n = state.qrSize
        XCTAssertTrue(n >= 21 && (n - 21) % 4 == 0, "size \(n)")
        XCTAssertEqual(link.qr.modules.utf8.count, n * n)
        XCTAssertTrue(finderAt(state, 0, 0))
        XCTAssertTrue(finderAt(state, 0, n - 7))
        XCTAssertTrue(finderAt(state, n - 7, 0))
        XCTAssertFalse(finderAt(state, n - 7, n - 7))
        XCTAssertFalse(state.isDark(row: n, col: 0))
        let notHolder = RatingLinkViewModel(client: newcomer, orderId: orderId)
        await notHolder.load()
        guard case .error = notHolder.state.value.phase else { return XCTFail("\(notHolder.state.value)") }

        // The resident sees it may be rated, rates it, and it may not be rated again.
        await mine.refresh()
        XCTAssertEqual(mine.state.value.rateable.map(\.orderId), [orderId])
        let rate = try XCTUnwrap(mine.rating(for: mine.state.value.rateable[0]))
        XCTAssertEqual(rate.orderId, orderId)
        XCTAssertTrue(mine.rating(for: mine.state.value.rateable[0]) === rate, "one rating screen per order")
        rate.setScore(5)
        await rate.submit()
        guard case .rated = rate.state.value.phase else { return XCTFail("\(rate.state.value)") }
        await mine.refresh()
        XCTAssertTrue(mine.state.value.rateable.isEmpty)
        // Its history, oldest first, each step with the state it led to.
        let filed = try XCTUnwrap(mine.state.value.needs.first)
        XCTAssertEqual(filed.history.map(\.what), [.received, .opened, .grabbed, .started, .resolved, .rated])
        XCTAssertEqual(filed.history.map(\.state), [.submitted, .open, .claimed, .inProgress, .resolved, .evaluated])
        XCTAssertEqual(filed.history.first?.atMs, filed.receivedAtMs)
        XCTAssertEqual(filed.history.map(\.atMs), filed.history.map(\.atMs).sorted())
        XCTAssertEqual(needStepName(filed.history[2].what, Strings(.english)), "Taken by a volunteer")
        server.stop()
    }

    func testFileALegalAidApplicationThroughTheGenericFormRenderer() async throws {
        let (server, people) = try world()
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let client = try phone(server.baseURL, dir, "resident", people.resident.password)
        let model = ApplicationFormViewModel(client: client)
        await model.loadForms()
        XCTAssertNil(model.state.value.refreshError, "GET /api/v1/services")
        guard case let .content(forms) = model.state.value.forms else { return XCTFail("\(model.state.value.forms)") }
        XCTAssertTrue(forms.contains { $0.isLegalAid && $0.needCategory == .legalAid }, "\(forms.map(\.serviceCode))")

        model.open(serviceCode: ApplicationFormViewModel.legalAidCode)
        let open = try XCTUnwrap(model.state.value.open)
        XCTAssertEqual(open.fields.map(\.code), open.form.fields.map(\.code))
        XCTAssertEqual(open.fields.map(\.widget), open.form.fields.map(\.widget))
        XCTAssertEqual(open.field("case_type")?.widget, .singleSelect)
        XCTAssertEqual(open.field("special_groups")?.widget, .multiSelect)
        XCTAssertNotNil(open.assessment)

        // Each answer is checked as it is edited.
        model.answer(field: "id_number", raw: "12345")
        XCTAssertNotNil(model.state.value.open?.field("id_number")?.problem)
        model.answer(field: "id_number", raw: "110101199003070011")
        XCTAssertNil(model.state.value.open?.field("id_number")?.problem)
        model.answer(field: "applicant_name", raw: "李四")
        model.answer(field: "case_type", raw: "labour_pay")
        model.answer(field: "monthly_household_income", raw: "3000")
        model.answer(field: "household_size", raw: "3")
        model.toggle(field: "special_groups", key: "migrant_worker")
        XCTAssertEqual(model.state.value.open?.field("special_groups")?.selected, ["migrant_worker"])
        let assessed = try XCTUnwrap(model.state.value.open?.assessment)
        XCTAssertFalse(verdictName(assessed.verdict).isEmpty)
        XCTAssertFalse(assessed.missingDocuments.isEmpty)
        model.setProvidedDocuments(assessed.missingDocuments.map(\.kind))
        XCTAssertEqual(model.state.value.open?.assessment?.missingDocuments, [])

        // A required answer missing: refused on its field, nothing queued.
        let contact = needForm(category: .legalAid, areaCode: people.villageCode)
        await model.submit(as: contact)
        XCTAssertNotNil(model.state.value.open?.field("facts")?.problem)
        XCTAssertEqual(model.state.value.open?.phase, .editing)
        XCTAssertEqual(try client.outboxCounts().pending, 0)
        model.answer(field: "facts", raw: "公司拖欠三个月工资，多次讨要未果")
        await model.submit(as: contact)
        guard case let .submitted(key) = model.state.value.open?.phase else {
            return XCTFail("\(String(describing: model.state.value.open))")
        }
        XCTAssertEqual(model.state.value.open?.field("id_number")?.raw, "", "answers are not kept once queued")
        let report = try await client.sync(maxWaitMs: 30_000)
        XCTAssertEqual(report.pending, 0)
        let mine = try await client.myNeeds()
        XCTAssertEqual(mine.first { $0.clientKey == key }?.category, .legalAid)
        server.stop()
    }
}
