import XCTest
import LawCircle
import LawCircleFFI

@MainActor
final class DistanceViewModelTests: XCTestCase, @unchecked Sendable {
    func testTheCoreAnswersThroughTheCModule() async {
        XCTAssertNotNil(coreVersion().range(of: #"^\d+\.\d+\.\d+"#, options: .regularExpression))
    }

    func testTheCompensationCalculatorAnswersOffline() async throws {
        // 30 months of service: N = 3 months (Labour Contract Law art. 47) x 8,000.
        var request = SeveranceRequest(
            region: "330000", year: 2021, monthlyWage: "8000", monthsOfService: 30, termination: .lawful,
            lastMonthWage: nil)
        let out = try calculateSeverance(request: request, language: .zh)
        XCTAssertEqual(out.calculator, .severance)
        XCTAssertEqual(out.total, "24000.00")
        XCTAssertTrue(out.lines.allSatisfy { $0.kind == .item && !$0.formula.isEmpty }, "\(out.lines)")
        request.year = 1999
        XCTAssertThrowsError(try calculateSeverance(request: request, language: .zh)) { error in
            XCTAssertEqual(UiError(error).field, "year")
        }
        request.year = 2021
        request.monthlyWage = "8千"
        XCTAssertThrowsError(try calculateSeverance(request: request, language: .zh)) { error in
            XCTAssertEqual(UiError(error).field, "monthly_wage")
        }
        let work = try calculateWorkInjury(
            request: WorkInjuryRequest(
                region: "330000", year: 2021, monthlyWage: "6000", outcome: .disability(grade: 9)), language: .zh)
        XCTAssertEqual(work.calculator, .workInjury)
        XCTAssertNotEqual(work.total, "0.00")
    }

    func testAGpsFixAndItsAmapPinAreTheSamePlace() async throws {
        let gps = Point(lat: 27.93, lng: 120.82, datum: .wgs84)
        let amap = try convertPoint(point: gps, to: .gcj02)
        XCTAssertEqual(amap.datum, .gcj02)
        XCTAssertLessThan(try distanceM(a: gps, b: amap), 0.01)
    }

    func testTheViewModelMeasuresAcrossDatumsAgainstTheFifteenMinuteCircle() async {
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

    func testSwappedCoordinatesAreAnInvalidInputNamingTheField() async {
        let model = DistanceViewModel()
        model.setFrom(lat: 120.8, lng: 27.9)
        model.setTo(lat: 27.9, lng: 120.8, datum: .wgs84)
        guard case let .invalid(error) = model.state.value else {
            return XCTFail("\(model.state.value)")
        }
        XCTAssertEqual(error.field, "lat")
        XCTAssertThrowsError(
            try distanceM(
                a: Point(lat: 120.8, lng: 27.9, datum: .wgs84),
                b: Point(lat: 27.9, lng: 120.8, datum: .wgs84))
        ) { error in
            guard case let .InvalidInput(field, _)? = error as? LawCircleError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(field, "lat")
        }
    }
}
