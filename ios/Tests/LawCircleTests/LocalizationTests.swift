import Foundation
import XCTest
import LawCircle
import LawCircleFFI

/// Chinese first, English on the toggle: every text in both tables, the
/// labels of every enum case in both languages, the toggle kept.
@MainActor
final class LocalizationTests: XCTestCase, @unchecked Sendable {
    private func placeholders(_ text: String) -> Set<String> {
        var found = Set<String>()
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            found.insert(String(rest[open...close]))
            rest = rest[rest.index(after: close)...]
        }
        return found
    }

    func testEveryKeyHasBothLanguagesWithTheSamePlaceholders() async {
        XCTAssertEqual(Set(Strings.zh.keys), Set(TextKey.allCases), "no Chinese text missing or left over")
        XCTAssertEqual(Set(Strings.en.keys), Set(TextKey.allCases), "no English text missing or left over")
        for key in TextKey.allCases {
            let zh = Strings.zh[key] ?? "", en = Strings.en[key] ?? ""
            XCTAssertFalse(zh.trimmingCharacters(in: .whitespaces).isEmpty, "\(key) in Chinese")
            XCTAssertFalse(en.trimmingCharacters(in: .whitespaces).isEmpty, "\(key) in English")
            XCTAssertEqual(placeholders(zh), placeholders(en), "\(key): the same arguments in both")
            // English text is not Chinese copied over (the toggle names the other language).
            if key != .languageToggle && key != .languageToggleHint {
                XCTAssertFalse(en.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) }, "\(key): \(en)")
            }
        }
    }

    func testArgumentsAreFilledInOrder() async {
        XCTAssertEqual(Strings(.english)(.coverageHere, 3, 5), "Coverage here: 3/5")
        XCTAssertEqual(Strings(.chinese)(.coverageHere, 3, 5), "所在位置覆盖：3/5")
    }

    func testEveryLabelHasWordsInBothLanguages() async {
        let zh = Strings(.chinese), en = Strings(.english)
        let groups: [(String, [(String, String)])] = [
            ("categories", NeedCategory.allCasesForTest.map { (categoryName($0, zh), categoryName($0, en)) }),
            ("products", serviceProducts.map { (productName($0, zh), productName($0, en)) }),
            ("facility kinds", facilityKinds.map { (facilityKindName($0, zh), facilityKindName($0, en)) }),
            ("order states", OrderState.allCasesForTest.map { (orderStateName($0, zh), orderStateName($0, en)) }),
            ("verdicts", [Verdict.eligible, .likely, .notEligible].map { (verdictName($0, zh), verdictName($0, en)) }),
            (
                "fence",
                [FenceVerdict.inside, .outside, .uncertain].map { (fenceVerdictName($0, zh), fenceVerdictName($0, en)) }
            ),
            (
                "outbox",
                [OutboxState.notSent, .sending, .sent, .failed, .wedged, .discarded].map {
                    (outboxStateName($0, zh), outboxStateName($0, en))
                }
            ),
            ("stages", OrderStage.allCases.map { (orderStageName($0, zh), orderStageName($0, en)) }),
            ("actions", HolderAction.allCases.map { (holderActionName($0, zh), holderActionName($0, en)) }),
            ("need steps", NeedStepKind.allCasesForTest.map { (needStepName($0, zh), needStepName($0, en)) }),
        ]
        for (name, words) in groups {
            XCTAssertEqual(Set(words.map(\.0)).count, words.count, "\(name): distinct in Chinese")
            XCTAssertEqual(Set(words.map(\.1)).count, words.count, "\(name): distinct in English")
            for (c, e) in words { XCTAssertNotEqual(c, e, "\(name): \(c) translated") }
        }
        XCTAssertEqual(categoryName(.mediation), "纠纷调解", "Chinese from the library by default")
        XCTAssertEqual(orderStateName(nil, en), "Not taken in yet")
    }

    func testErrorsAreWordedInTheUsersLanguage() async {
        let offline = UiError(LawCircleError.Network(reason: "timed out"))
        XCTAssertEqual(offline.text(Strings(.english)), "No connection to the LawCircle platform: timed out")
        XCTAssertEqual(offline.text(Strings(.chinese)), "无法连接法律服务平台：timed out")
        let blank = UiError(key: .enterPassword, field: "password")
        XCTAssertEqual(blank.text(Strings(.english)), "Enter your password")
        XCTAssertEqual(blank.message, "请输入密码")
    }

    func testTheToggleIsKeptInTheSettings() async throws {
        let suite = "lawcircle-test-\(UUID().uuidString)"
        let settings = try XCTUnwrap(UserDefaults(suiteName: suite))
        defer { settings.removePersistentDomain(forName: suite) }
        let language = LanguageSetting(settings: settings)
        XCTAssertEqual(language.state.value, .chinese, "Chinese first")
        var seen: [LawCircle.Language] = []
        let token = language.state.observe { seen.append($0) }
        language.toggle()
        XCTAssertEqual(language.strings(.signIn), "Sign in")
        XCTAssertEqual(seen, [.chinese, .english])
        XCTAssertEqual(LanguageSetting(settings: settings).state.value, .english, "kept across launches")
        language.toggle()
        XCTAssertEqual(LanguageSetting(settings: settings).state.value, .chinese)
        token.cancel()
    }
}

extension NeedCategory {
    static var allCasesForTest: [NeedCategory] { needCategories().map(\.category) }
}

extension OrderState {
    static let allCasesForTest: [OrderState] = [
        .submitted, .open, .claimed, .assigned, .inProgress, .resolved, .evaluated, .closed, .transferred,
        .escalated, .cancelled,
    ]
}

extension NeedStepKind {
    static let allCasesForTest: [NeedStepKind] = [
        .received, .opened, .grabbed, .dispatched, .accepted, .declined, .started, .transferred, .escalated,
        .resolved, .rated, .closed, .cancelled,
    ]
}

extension LocalizationTests {
    func testDistancesAreWordedInTheUsersLanguage() async {
        XCTAssertEqual(distanceText(420.4), "420 米")
        XCTAssertEqual(distanceText(1240, Strings(.english)), "1.2 km")
        XCTAssertEqual(distanceText(1240, Strings(.chinese)), "1.2 公里")
        XCTAssertEqual(distanceText(nil), "–")
    }
}
