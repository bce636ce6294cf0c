import XCTest
import LawCircle
import LawCircleFFI

final class DistanceViewModelTests: XCTestCase {
    func testTheCoreAnswersThroughTheCModule() {
        XCTAssertNotNil(coreVersion().range(of: #"^\d+\.\d+\.\d+"#, options: .regularExpression))
    }

    func testAGpsFixAndItsAmapPinAreTheSamePlace() throws {
        let gps = Point(lat: 27.93, lng: 120.82, datum: .wgs84)
        let amap = try convertPoint(point: gps, to: .gcj02)
        XCTAssertEqual(amap.datum, .gcj02)
        XCTAssertLessThan(try distanceM(a: gps, b: amap), 0.01)
    }

    func testTheViewModelMeasuresAcrossDatumsAgainstTheFifteenMinuteCircle() {
        let model = DistanceViewModel()
        var seen: [DistanceState] = []
        let token = model.state.observe { seen.append($0) }
        model.setFrom(lat: 27.93, lng: 120.82)
        XCTAssertEqual(model.state.value, .incomplete)
        model.setTo(lat: 27.93, lng: 120.82, datum: .gcj02)
        guard case let .measured(offset, _, within) = model.state.value else {
            return XCTFail("\(model.state.value)")
        }
        XCTAssert((200.0...700.0).contains(offset), "offset \(offset)")
        XCTAssertTrue(within)
        model.setTo(lat: 27.93 + 1300.0 / 111_195.0, lng: 120.82, datum: .wgs84)
        guard case let .measured(_, minutes, far) = model.state.value else {
            return XCTFail("\(model.state.value)")
        }
        XCTAssertEqual(minutes, 17)
        XCTAssertFalse(far)
        token.cancel()
        model.setFrom(lat: 27.9, lng: 120.8)
        XCTAssertEqual(seen.count, 4, "the initial state and three changes, none after cancel")
    }

    func testSwappedCoordinatesAreAnInvalidInputNamingTheField() {
        let model = DistanceViewModel()
        model.setFrom(lat: 120.8, lng: 27.9)
        model.setTo(lat: 27.9, lng: 120.8, datum: .wgs84)
        guard case let .invalid(error) = model.state.value else {
            return XCTFail("\(model.state.value)")
        }
        XCTAssertEqual(error.field, "lat")
        XCTAssertThrowsError(try distanceM(a: Point(lat: 120.8, lng: 27.9, datum: .wgs84),
                                           b: Point(lat: 27.9, lng: 120.8, datum: .wgs84))) { error in
            guard case let .InvalidInput(field, _)? = error as? LawCircleError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(field, "lat")
        }
    }
}
