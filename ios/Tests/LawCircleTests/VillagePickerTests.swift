import Foundation
import XCTest
import LawCircle
import LawCircleFFI

/// The new-need form's village picker over the phone's copy of the areas:
/// nothing before the catalogue is fetched, then from a fix or by name,
/// offline too.
@MainActor
final class VillagePickerTests: XCTestCase, @unchecked Sendable {
    func testTheVillageComesFromTheFixOrTheSearchAndSetsTheAreaCode() async throws {
        let server = try TestServer(["--demo"])
        let people = try server.seedPeople()
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let client = try phone(server.baseURL, dir, "resident", people.resident.password)
        let need = NewNeedViewModel(client: client)
        let picker = need.villagePicker()
        let post = Point(lat: people.postLat, lng: people.postLng, datum: .wgs84)

        // The catalogue was never fetched: nothing known, said so.
        await picker.locate(at: post)
        XCTAssertEqual(picker.state.value.located, .notFound)
        await picker.search("")
        XCTAssertEqual(picker.state.value.list, .content([]))

        // Fetched once; then offline.
        _ = try await client.refreshCatalogue()
        server.stop()

        // By its code's prefix and by name: the seeded village.
        await picker.search(people.villageCode)
        guard case let .content(byCode) = picker.state.value.list else { return XCTFail("\(picker.state.value)") }
        let village = try XCTUnwrap(byCode.first { $0.code == people.villageCode }, "\(byCode)")
        XCTAssertFalse(village.name.isEmpty)
        await picker.search(village.name)
        guard case let .content(byName) = picker.state.value.list else { return XCTFail("\(picker.state.value)") }
        XCTAssertTrue(byName.contains(village), "\(byName)")
        await picker.search("没有这个村")
        XCTAssertEqual(picker.state.value.list, .content([]))

        // From a fix at its seat: found and picked, the form's area code set.
        await picker.locate(at: village.centroid)
        XCTAssertEqual(picker.state.value.located, .found(village))
        XCTAssertEqual(picker.state.value.picked, village)
        XCTAssertEqual(need.state.value.form.areaCode, village.code)

        // Far outside the district (Beijing): not found, the pick kept.
        await picker.locate(at: Point(lat: 39.9042, lng: 116.4074, datum: .wgs84))
        XCTAssertEqual(picker.state.value.located, .notFound)
        XCTAssertEqual(need.state.value.form.areaCode, village.code)

        // A bad point is the library's refusal.
        await picker.locate(at: Point(lat: 200, lng: 0, datum: .wgs84))
        guard case let .error(bad) = picker.state.value.located else { return XCTFail("\(picker.state.value)") }
        XCTAssertEqual(bad.kind, .invalidInput)
    }
}
