import Foundation
import XCTest
import LawCircle
import LawCircleFFI

/// The volunteer's "my orders" and duty card against the real server:
/// empty, dispatched (accept, decline with a reason), grabbed (start),
/// resolved with a note, offline; the duty card following clock-in.
@MainActor
final class OrdersAndDutyTests: XCTestCase, @unchecked Sendable {
    private func world() throws -> (TestServer, People) {
        let server = try TestServer(["--demo"])
        return (server, try server.seedPeople())
    }

    /// Files a need from `resident`'s phone and returns its order's id.
    private func fileNeed(_ resident: LawCircleClient, _ category: NeedCategory, _ people: People) async throws
        -> String
    {
        let need = NewNeedViewModel(client: resident, blank: needForm(category: category, areaCode: people.villageCode))
        await need.submit()
        guard case let .submitted(key) = need.state.value.phase else {
            throw TestServerError("not queued: \(need.state.value)")
        }
        let outbox = OutboxViewModel(client: resident)
        await outbox.sync(maxWaitMs: 30_000)
        let result = try XCTUnwrap(outbox.state.value.entries.first { $0.key == key }?.result)
        let receipt = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.utf8)) as? [String: Any])
        return try XCTUnwrap(receipt["order_id"] as? String)
    }

    /// Staff dispatch (派单) the order to the volunteer.
    private func assign(_ staff: Api, _ orderId: String, to volunteer: Int64) async throws {
        let (_, order) = try await staff.get("/api/v1/orders/\(orderId)")
        let version = try XCTUnwrap((order as? [String: Any])?["version"])
        let (status, body) = try await staff.call(
            "POST", "/api/v1/orders/\(orderId)/events",
            json: ["event": ["event": "assign", "assignee": String(volunteer)], "version": version])
        XCTAssertEqual(status, 200, "\(String(describing: body))")
    }

    func testMyOrdersAcceptDeclineStartAndResolveThenOffline() async throws {
        let (server, people) = try world()
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let volunteer = try phone(server.baseURL, dir, "volunteer", people.volunteer.password)
        let resident = try phone(server.baseURL, dir, "resident", people.resident.password)
        let staff = try await Api.login(server.baseURL, "staff", people.staff.password)
        let mine = MyOrdersViewModel(client: volunteer)
        let seen = Recorder<MyOrdersState>()
        let token = mine.state.observe(seen.add)

        // Nothing held yet: empty, after loading.
        await mine.refresh()
        XCTAssertTrue(mine.state.value.isEmpty, "\(mine.state.value)")
        XCTAssertTrue(seen.all.contains { $0.phase == .loading })

        // A mediation dispatched by staff waits for the volunteer.
        let mediation = try await fileNeed(resident, .mediation, people)
        try await assign(staff, mediation, to: people.volunteer.id)
        await mine.refresh()
        let waiting = mine.state.value.orders(at: .waitingForMe)
        XCTAssertEqual(waiting.map(\.id), [mediation], "\(mine.state.value)")
        XCTAssertEqual(waiting.first?.state, .assigned)
        XCTAssertEqual(HolderAction.allowed(in: .assigned), [.accept, .decline])

        // A blank reason is refused by field, and the order stays.
        await mine.decline(orderId: mediation, reason: " ")
        guard case let .error(orderId, blank) = mine.state.value.action else {
            return XCTFail("\(mine.state.value.action)")
        }
        XCTAssertEqual(orderId, mediation)
        XCTAssertEqual(blank.field, "reason")
        XCTAssertEqual(mine.state.value.orders.map(\.id), [mediation])

        // Declined with a reason: given back, gone from the list.
        await mine.decline(orderId: mediation, reason: "利益冲突")
        guard case let .done(declined, .decline) = mine.state.value.action else {
            return XCTFail("\(mine.state.value.action)")
        }
        XCTAssertNil(declined.assignee)
        XCTAssertTrue(mine.state.value.orders.isEmpty)
        await mine.refresh()
        XCTAssertTrue(mine.state.value.isEmpty, "the server agrees: \(mine.state.value)")

        // Dispatched again and accepted: it starts at once; resolved with a note.
        try await assign(staff, mediation, to: people.volunteer.id)
        await mine.refresh()
        await mine.accept(orderId: mediation)
        XCTAssertEqual(mine.state.value.orders(at: .working).map(\.state), [.inProgress], "\(mine.state.value)")
        await mine.resolve(orderId: mediation, note: "已调解成功")
        guard case let .done(resolved, .resolve) = mine.state.value.action else {
            return XCTFail("\(mine.state.value.action)")
        }
        XCTAssertEqual(resolved.state, .resolved)
        XCTAssertEqual(mine.state.value.orders(at: .done).map(\.id), [mediation])

        // A consultation grabbed from the offers is started from the list.
        let here = Point(lat: people.postLat, lng: people.postLng, datum: .wgs84)
        let consultation = try await fileNeed(resident, .consultation, people)
        let offers = OrderOffersViewModel(client: volunteer, position: here)
        await offers.grab(orderId: consultation)
        await mine.refresh()
        let grabbed = try XCTUnwrap(mine.state.value.orders.first { $0.id == consultation }, "\(mine.state.value)")
        XCTAssertEqual(grabbed.state, .claimed)
        XCTAssertEqual(HolderAction.allowed(in: grabbed.state), [.start, .decline])
        await mine.start(orderId: consultation)
        XCTAssertEqual(mine.state.value.orders.first { $0.id == consultation }?.state, .inProgress)
        XCTAssertEqual(Set(mine.state.value.orders.map(\.id)), [mediation, consultation])

        // Resolving an order that is already resolved: the server's conflict.
        await mine.resolve(orderId: mediation, note: "再次办结")
        guard case let .error(_, again) = mine.state.value.action else { return XCTFail("\(mine.state.value.action)") }
        XCTAssertNotEqual(again.kind, .network)

        // Offline: the last list stays, with the reason.
        server.stop()
        await mine.refresh()
        guard case let .offline(offline) = mine.state.value.phase else { return XCTFail("\(mine.state.value.phase)") }
        XCTAssertEqual(offline.kind, .network)
        XCTAssertEqual(mine.state.value.orders.count, 2)
        token.cancel()
    }

    func testTheDutyCardFollowsClockInAndCountsTheHeldOrders() async throws {
        let (server, people) = try world()
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let suite = "lawcircle-test-\(UUID().uuidString)"
        let settings = try XCTUnwrap(UserDefaults(suiteName: suite))
        defer { settings.removePersistentDomain(forName: suite) }
        let volunteer = try phone(server.baseURL, dir, "volunteer", people.volunteer.password)
        let resident = try phone(server.baseURL, dir, "resident", people.resident.password)
        let staff = try await Api.login(server.baseURL, "staff", people.staff.password)

        let duty = DutyStateViewModel(client: volunteer, settings: settings)
        XCTAssertEqual(duty.state.value.duty, .offDuty)
        await duty.refresh()
        XCTAssertEqual(duty.state.value.orders, .content(waitingForMe: 0, working: 0))

        // Clocked in at the post an hour ago: on duty there, and the punch is delivered.
        let clockIn = ClockInViewModel(client: volunteer)
        duty.follow(clockIn)
        let here = Point(lat: people.postLat, lng: people.postLng, datum: .wgs84)
        await clockIn.refresh(near: here)
        let atPost = LocationFix(
            latitude: people.postLat, longitude: people.postLng, horizontalAccuracy: 8,
            timestamp: Date().addingTimeInterval(-3600), uptime: uptime() - 3600, isSimulated: false)
        let fix = try XCTUnwrap(atPost.gpsFix)
        let tap = DeviceTime(wallMs: fix.wallTimeMs, elapsedMs: fix.elapsedMs)
        clockIn.onLocation(atPost, at: tap)
        await clockIn.clockIn(.in, at: tap)
        guard case let .punched(_, receipt) = clockIn.state.value.outcome else {
            return XCTFail("\(clockIn.state.value.outcome)")
        }
        guard case let .onDuty(postName, _) = duty.state.value.duty else { return XCTFail("\(duty.state.value)") }
        guard case let .content(posts) = clockIn.state.value.posts else { return XCTFail("\(clockIn.state.value)") }
        XCTAssertEqual(postName, posts.first { $0.id == people.postId }?.name)
        XCTAssertEqual(duty.state.value.last?.punchId, receipt.punchId)
        XCTAssertEqual(duty.state.value.last?.verdict, .inside)
        let outbox = OutboxViewModel(client: volunteer)
        await outbox.sync(maxWaitMs: 30_000)
        await duty.refresh()
        XCTAssertEqual(duty.state.value.delivery, .sent, "\(duty.state.value)")

        // Clocked out there now: off duty, and the server counts the session once accepted.
        let now = LocationFix(
            latitude: people.postLat, longitude: people.postLng, horizontalAccuracy: 8,
            timestamp: Date(), uptime: uptime(), isSimulated: false)
        let nowFix = try XCTUnwrap(now.gpsFix)
        let outTap = DeviceTime(wallMs: nowFix.wallTimeMs, elapsedMs: nowFix.elapsedMs)
        clockIn.onLocation(now, at: outTap)
        await clockIn.clockIn(.out, at: outTap)
        XCTAssertEqual(duty.state.value.duty, .offDuty)
        await outbox.sync(maxWaitMs: 30_000)
        // Outside the post's shift: staff review both punches and accept them.
        let (status, queue) = try await staff.get("/api/v1/punches/review-queue?pending=true")
        XCTAssertEqual(status, 200)
        let pending = try XCTUnwrap(queue as? [[String: Any]])
        // The fixture's own clock-in over HTTP, then this phone's in and out.
        XCTAssertEqual(pending.count, 3, "\(pending)")
        for entry in pending {
            let id = try XCTUnwrap((entry["id"] ?? (entry["punch"] as? [String: Any])?["id"]) as? String)
            let (reviewed, body) = try await staff.call(
                "POST", "/api/v1/punches/\(id)/review", json: ["decision": "accept", "reason": "在岗值守已核实"])
            XCTAssertEqual(reviewed, 200, "\(String(describing: body))")
        }
        await duty.refresh()
        guard case let .content(hours) = duty.state.value.hours else { return XCTFail("\(duty.state.value.hours)") }
        // The server pairs the punches by when it received them.
        let session = try XCTUnwrap(hours.recent.first, "\(hours)")
        XCTAssertEqual(session.postId, people.postId)
        XCTAssertGreaterThan(hours.totalHours, 0)
        XCTAssertEqual(hours.totalHours, hours.recent.map(\.hours).reduce(0, +), accuracy: 1e-9)
        // The server counts the session from its exact times; the library
        // gives each end in whole milliseconds, so they agree within 2 ms.
        XCTAssertEqual(
            session.hours, Double(session.endMs - session.startMs) / 3_600_000, accuracy: 2.0 / 3_600_000)
        XCTAssertEqual(
            hours.hoursToNextStar ?? 0, (hours.starThresholdsHours.first ?? 0) - hours.totalHours, accuracy: 1e-6)
        XCTAssertEqual(hours.starThresholdsHours, hours.starThresholdsHours.sorted())
        XCTAssertTrue((0...5).contains(hours.stars))

        // A dispatched order waits for the volunteer.
        let mediation = try await fileNeed(resident, .mediation, people)
        try await assign(staff, mediation, to: people.volunteer.id)
        await duty.refresh()
        XCTAssertEqual(duty.state.value.orders, .content(waitingForMe: 1, working: 0))

        // The card survives a restart of the app (kept in the settings);
        // offline, the counts are unknown with the reason.
        server.stop()
        let restarted = DutyStateViewModel(client: volunteer, settings: settings)
        XCTAssertEqual(restarted.state.value.last, duty.state.value.last)
        await restarted.refresh()
        guard case let .offline(offline) = restarted.state.value.orders else {
            return XCTFail("\(restarted.state.value.orders)")
        }
        XCTAssertEqual(offline.kind, .network)
        XCTAssertEqual(restarted.state.value.delivery, .sent)
        guard case .offline = restarted.state.value.hours else { return XCTFail("\(restarted.state.value.hours)") }

        // Clocked in offline: on duty, the punch waits in the outbox.
        await clockIn.clockIn(.in, at: .now())
        guard case .onDuty = duty.state.value.duty else { return XCTFail("\(clockIn.state.value.outcome)") }
        XCTAssertEqual(duty.state.value.last?.offline, true)
        await duty.refresh()
        XCTAssertNotEqual(duty.state.value.delivery, .sent)
    }
}
