import Foundation
import LawCircle
import LawCircleFFI
import XCTest

/// The compensation calculators over the real library and its shipped
/// parameter table: estimates, every refused field named in words, and
/// switching calculators.
@MainActor
final class CompensationCalculatorTests: XCTestCase, @unchecked Sendable {
    private func severanceModel() -> CompensationCalculatorViewModel {
        let model = CompensationCalculatorViewModel(calculator: .severance)
        model.edit {
            $0.monthlyWage = "8000"
            $0.monthsOfService = "30"
            $0.termination = .lawful
        }
        return model
    }

    private func injuryModel(_ calculator: Calculator = .personalInjury) -> CompensationCalculatorViewModel {
        let model = CompensationCalculatorViewModel(calculator: calculator)
        model.edit {
            $0.age = "45"
            $0.injuryOutcome = .disability
            $0.disabilityGrade = "10"
            $0.items[.medical] = "12000.50"
            $0.items[.nutrition] = "1800"
        }
        model.addDependant()
        model.edit {
            $0.dependants[0].age = "10"
            $0.dependants[0].obligedPersons = "2"
            $0.dependants[0].label = "女儿"
        }
        return model
    }

    /// The field a refusal names, after `calculate`; fails the test when
    /// the form was not refused.
    private func refusedField(
        _ model: CompensationCalculatorViewModel, file: StaticString = #filePath, line: UInt = #line
    ) async -> String? {
        await model.calculate()
        guard case let .error(error) = model.state.value.phase else {
            XCTFail("not refused: \(model.state.value.phase)", file: file, line: line)
            return nil
        }
        XCTAssertEqual(error.kind, .invalidInput, file: file, line: line)
        return error.field
    }

    func testSeveranceGivesTheItemisedEstimateWithItsLegalBasis() async throws {
        let model = severanceModel()
        XCTAssertEqual(model.state.value.form.year, "2021", "the newest year the table has the wage of")
        XCTAssertNil(model.state.value.breakdown)
        await model.calculate()
        let breakdown = try XCTUnwrap(model.state.value.breakdown, "\(model.state.value.phase)")
        // 30 months: N = 3 months (Labour Contract Law art. 47) × 8,000.
        XCTAssertEqual(breakdown.calculator, .severance)
        XCTAssertEqual(breakdown.total, "24000.00")
        XCTAssertFalse(breakdown.lines.isEmpty)
        XCTAssertFalse(breakdown.legalBasis.isEmpty)
        XCTAssertFalse(breakdown.disclaimer.isEmpty)
        // Unlawful termination doubles it (2N).
        model.edit { $0.termination = .unlawful }
        XCTAssertNil(model.state.value.breakdown, "an edit clears the estimate of the old form")
        await model.calculate()
        XCTAssertEqual(model.state.value.breakdown?.total, "48000.00")
    }

    /// Every text of an estimate the user reads (the shipped figures'
    /// sources are cited as published).
    private func texts(_ b: CompensationBreakdown) -> [String] {
        [b.rounding, b.disclaimer] + b.legalBasis + b.notes
            + b.lines.flatMap { l in [l.item, l.formula] + l.parameters.flatMap { [$0.indicator, $0.unit] } }
    }

    func testTheYearIsPickedAndTheEstimateIsExplainedInTheAppsLanguage() async throws {
        let model = severanceModel()
        XCTAssertEqual(model.state.value.yearChoices, [2020, 2021], "the years the table holds the wage for")
        model.selectYear(2020)
        XCTAssertEqual(model.state.value.form.year, "2020")
        model.selectYear(1999)
        XCTAssertEqual(model.state.value.form.year, "2020", "a year the table does not hold is not offered")
        model.select(.personalInjury)
        XCTAssertEqual(model.state.value.yearChoices, [2020, 2022])
        model.select(.severance)
        model.edit { $0.termination = .lawfulInLieuOfNotice }
        await model.calculate()
        let zh = try XCTUnwrap(model.state.value.breakdown, "\(model.state.value.phase)")
        XCTAssertEqual(zh.lines.first?.item, "经济补偿 N")
        for text in texts(zh) {
            let words = text.split { !("a"..."z").contains($0) && !("A"..."Z").contains($0) }
            XCTAssertTrue(words.allSatisfy { $0.count < 2 }, "an English word in the Chinese estimate: \(text)")
        }
        // The toggle computes the estimate on screen again, in English.
        await model.setLanguage(.english)
        let en = try XCTUnwrap(model.state.value.breakdown, "\(model.state.value.phase)")
        XCTAssertEqual(en.total, zh.total)
        XCTAssertEqual(en.lines.first?.item, "severance (N)")
        for text in texts(en) {
            let chinese = text.unicodeScalars.contains {
                (0x3000...0x9FFF).contains($0.value) || (0xFF00...0xFFEF).contains($0.value)
            }
            XCTAssertFalse(chinese, "Chinese in the English estimate: \(text)")
        }
        // A model made in English explains in English from the start.
        let english = CompensationCalculatorViewModel(calculator: .workInjury, language: .english)
        english.edit {
            $0.monthlyWage = "6000"
            $0.disabilityGrade = "9"
        }
        await english.calculate()
        XCTAssertEqual(english.state.value.breakdown?.lines.first?.item, "one-off disability grant")
    }

    func testPersonalInjuryAndTrafficAccidentEstimates() async throws {
        let injury = injuryModel()
        XCTAssertEqual(injury.state.value.form.year, "2022")
        await injury.calculate()
        let personal = try XCTUnwrap(injury.state.value.breakdown, "\(injury.state.value.phase)")
        XCTAssertEqual(personal.calculator, .personalInjury)
        XCTAssertTrue(personal.lines.contains { $0.item.contains("医疗费") && $0.amount == "12000.50" })
        XCTAssertTrue(personal.lines.contains { $0.item.contains("被扶养人") }, "the dependant's living costs")
        XCTAssertFalse(personal.lines.contains { $0.kind == .payment })
        XCTAssertEqual(personal.itemsTotal, personal.total)

        let traffic = injuryModel(.trafficAccident)
        traffic.edit {
            $0.faultSharePercent = "70"
            $0.propertyLoss = "3000"
        }
        await traffic.calculate()
        let accident = try XCTUnwrap(traffic.state.value.breakdown, "\(traffic.state.value.phase)")
        XCTAssertEqual(accident.calculator, .trafficAccident)
        XCTAssertTrue(accident.lines.contains { $0.kind == .payment }, "who pays what: insurance, then the share")
        XCTAssertNotEqual(accident.total, accident.itemsTotal)

        let work = CompensationCalculatorViewModel(calculator: .workInjury)
        work.edit {
            $0.workOutcome = .disability
            $0.disabilityGrade = "9"
            $0.monthlyWage = "6000"
        }
        await work.calculate()
        XCTAssertEqual(work.state.value.breakdown?.calculator, .workInjury)
        XCTAssertNotEqual(work.state.value.breakdown?.total, "0.00")
    }

    /// Each refused field is named as the form knows it, and in words in
    /// both languages (never the code).
    func testEachInvalidFieldIsNamedInWords() async {
        typealias Case = (Calculator, (inout CompensationForm) -> Void, String)
        let cases: [Case] = [
            (.severance, { $0.monthlyWage = "8千" }, "monthly_wage"),
            (.severance, { $0.monthlyWage = "-1" }, "monthly_wage"),
            (.severance, { $0.monthsOfService = "三十" }, "months_of_service"),
            (.severance, { $0.monthsOfService = "9999" }, "months_of_service"),
            (.severance, { $0.year = "1999" }, "year"),
            (.severance, { $0.year = "二〇二一" }, "year"),
            (
                .severance,
                {
                    $0.termination = .lawfulInLieuOfNotice
                    $0.lastMonthWage = "abc"
                }, "last_month_wage"
            ),
            (.personalInjury, { $0.age = "200" }, "age"),
            (.personalInjury, { $0.age = "" }, "age"),
            (.personalInjury, { $0.disabilityGrade = "11" }, "outcome.grade"),
            (.personalInjury, { $0.dependants[0].age = "ten" }, "dependants[0].age"),
            (.personalInjury, { $0.dependants[0].obligedPersons = "0" }, "dependants[0].obliged_persons"),
            (.personalInjury, { $0.dependants[0].obligedPersons = "两" }, "dependants[0].obliged_persons"),
            (.personalInjury, { $0.injuryOutcome = .injury }, "dependants"),
            (.personalInjury, { $0.items[.medical] = "-5" }, "items.medical"),
            (.personalInjury, { $0.items[.mentalSolatium] = "五千" }, "items.mental_solatium"),
            (.trafficAccident, { $0.faultSharePercent = "150" }, "fault_share_percent"),
            (.trafficAccident, { $0.propertyLoss = "abc" }, "property_loss"),
            (.trafficAccident, { $0.age = "200" }, "age"),
            (.trafficAccident, { $0.items[.nursing] = "x" }, "items.nursing"),
            (.workInjury, { $0.monthlyWage = "" }, "monthly_wage"),
            (.workInjury, { $0.disabilityGrade = "0" }, "outcome.grade"),
        ]
        for (calculator, change, field) in cases {
            let model: CompensationCalculatorViewModel
            switch calculator {
            case .severance: model = severanceModel()
            case .personalInjury, .trafficAccident: model = injuryModel(calculator)
            case .workInjury:
                model = CompensationCalculatorViewModel(calculator: .workInjury)
                model.edit {
                    $0.disabilityGrade = "9"
                    $0.monthlyWage = "6000"
                }
            }
            model.edit(change)
            let refused = await refusedField(model)
            XCTAssertEqual(refused, field, "\(calculator): \(model.state.value.form)")
            XCTAssertNil(model.state.value.breakdown)
            for strings in [Strings(.chinese), Strings(.english)] {
                let name = compensationFieldName(field, strings)
                XCTAssertNotEqual(name, field, "\(field) has words")
                let shown = model.state.value.problem(field, strings)
                XCTAssertTrue(shown?.hasPrefix(name) == true, "\(shown ?? "nil") names \(name)")
            }
            XCTAssertNil(model.state.value.problem("region"), "only the refused field is marked")
            // Fixing the form clears the refusal.
            model.edit { _ in }
            XCTAssertEqual(model.state.value.phase, .editing)
        }
        // The view model's own refusal is in the app's words.
        let model = severanceModel()
        model.edit { $0.monthsOfService = "三十" }
        await model.calculate()
        XCTAssertEqual(model.state.value.problem("months_of_service"), "工作月数：请填写整数")
        XCTAssertEqual(
            model.state.value.problem("months_of_service", Strings(.english)), "Months of service: Enter a whole number"
        )
    }

    func testSwitchingCalculatorsKeepsTheSharedFieldsAndDropsTheOldEstimate() async throws {
        let model = injuryModel()
        model.edit { $0.monthlyWage = "6000" }
        await model.calculate()
        XCTAssertEqual(model.state.value.breakdown?.calculator, .personalInjury)

        // To work injury: the estimate goes, the year follows the calculator,
        // the typed fields stay.
        model.select(.workInjury)
        XCTAssertEqual(model.state.value.calculator, .workInjury)
        XCTAssertEqual(model.state.value.phase, .editing)
        XCTAssertEqual(model.state.value.form.year, "2021")
        XCTAssertEqual(model.state.value.form.age, "45")
        XCTAssertEqual(model.state.value.form.items[.medical], "12000.50")
        model.edit { $0.disabilityGrade = "9" }
        await model.calculate()
        XCTAssertEqual(model.state.value.breakdown?.calculator, .workInjury)

        // A year the user typed is kept across a switch.
        model.edit { $0.year = "2020" }
        model.select(.trafficAccident)
        XCTAssertEqual(model.state.value.form.year, "2020")
        model.edit { $0.year = "2022" }
        model.select(.personalInjury)
        model.select(.trafficAccident)
        await model.calculate()
        XCTAssertEqual(model.state.value.breakdown?.calculator, .trafficAccident)

        // A switch while the library computes: the answer for the old
        // calculator is dropped, not shown under the new one.
        var switched = false
        let token = model.state.observe { state in
            if state.phase == .calculating && !switched {
                switched = true
                model.select(.severance)
            }
        }
        await model.calculate()
        token.cancel()
        XCTAssertTrue(switched)
        XCTAssertEqual(model.state.value.calculator, .severance)
        XCTAssertEqual(model.state.value.phase, .editing, "the traffic estimate is not shown under severance")

        // Removing a dependant edits the form.
        model.select(.personalInjury)
        model.removeDependant(at: 0)
        model.removeDependant(at: 5)
        XCTAssertTrue(model.state.value.form.dependants.isEmpty)
    }

    func testEveryCalculatorAndChoiceHasWordsInBothLanguages() async {
        let zh = Strings(.chinese), en = Strings(.english)
        var pairs = compensationCalculators.map { (calculatorName($0, zh), calculatorName($0, en)) }
        pairs += [Termination.lawful, .lawfulInLieuOfNotice, .unlawful].map {
            (terminationName($0, zh), terminationName($0, en))
        }
        pairs += InjuryOutcomeChoice.allCases.map { (injuryOutcomeName($0, zh), injuryOutcomeName($0, en)) }
        pairs += WorkInjuryOutcomeChoice.allCases.map { (workOutcomeName($0, zh), workOutcomeName($0, en)) }
        pairs += CompensationItem.allCases.map { (compensationItemName($0, zh), compensationItemName($0, en)) }
        for (chinese, english) in pairs {
            XCTAssertFalse(chinese.isEmpty)
            XCTAssertFalse(english.isEmpty)
            XCTAssertNotEqual(chinese, english)
        }
        XCTAssertEqual(Set(pairs.map(\.0)).count, pairs.count - 1, "one name per choice (two outcomes share 伤残)")
        XCTAssertEqual(compensationFieldName("dependants[1].age", zh), "第2位被扶养人的年龄")
    }
}
