import Foundation
import LawCircleFFI

/// The calculators a resident can pick, in the order the screen lists them.
public let compensationCalculators: [Calculator] = [.personalInjury, .trafficAccident, .workInjury, .severance]

/// What an injury led to, as the form offers it (the grade is a field of
/// its own, typed as text).
public enum InjuryOutcomeChoice: String, CaseIterable, Sendable {
    case injury, disability, death
}

/// What a work injury led to, as the form offers it.
public enum WorkInjuryOutcomeChoice: String, CaseIterable, Sendable {
    case disability, death
}

/// A costs item the user may enter (yuan), with the library's field name
/// (`items.<field>` in its errors).
public enum CompensationItem: String, CaseIterable, Sendable {
    case medical
    case lostWages = "lost_wages"
    case nursing
    case hospitalMeals = "hospital_meals"
    case nutrition
    case transport
    case lodging
    case appraisal
    case assistiveDevices = "assistive_devices"
    case mentalSolatium = "mental_solatium"
}

/// A dependant of the victim as typed.
public struct DependantInput: Equatable, Sendable {
    /// Years, decimal text (a minor's may have a fraction).
    public var age = ""
    /// Persons obliged to support the dependant, the victim included.
    public var obligedPersons = "1"
    /// A label for the breakdown (女儿…), optional.
    public var label = ""

    public init(age: String = "", obligedPersons: String = "1", label: String = "") {
        self.age = age
        self.obligedPersons = obligedPersons
        self.label = label
    }
}

/// The calculators' form as typed: every field is text (whole numbers are
/// read by the view model, amounts by the library, so no float touches
/// money). Fields shared by calculators (region, year, age, wage) keep
/// their value when the user switches calculator.
public struct CompensationForm: Equatable, Sendable {
    /// Division code of the figures (330000: Zhejiang, the shipped table).
    public var region = "330000"
    /// Statistical year of the figures.
    public var year = ""
    // Personal injury and traffic accident.
    public var age = ""
    public var injuryOutcome: InjuryOutcomeChoice = .disability
    public var disabilityGrade = "10"
    public var dependants: [DependantInput] = []
    public var items: [CompensationItem: String] = [:]
    // Traffic accident.
    public var faultSharePercent = "100"
    public var propertyLoss = ""
    // Work injury.
    public var workOutcome: WorkInjuryOutcomeChoice = .disability
    // Work injury and severance.
    public var monthlyWage = ""
    // Severance.
    public var monthsOfService = ""
    public var termination: Termination = .lawful
    public var lastMonthWage = ""

    public init() {}
}

/// What the calculators' screen shows.
public struct CompensationCalculatorState: Equatable, Sendable {
    public enum Phase: Equatable, Sendable {
        /// Nothing computed for the form as it is.
        case editing
        case calculating
        /// The itemised estimate: lines, totals, legal basis, notes, disclaimer.
        case result(CompensationBreakdown)
        /// A refusal: `field` names the form's field (the library's name,
        /// without the `injury.` prefix of a traffic accident).
        case error(UiError)
    }

    public var calculator: Calculator = .personalInjury
    public var form = CompensationForm()
    public var phase: Phase = .editing
    /// The statistical years the library's table holds for the calculator,
    /// oldest first: the year is picked among them (`form.year`).
    public var yearChoices: [UInt16] = []
    /// The language the library explains the estimate in (the app's).
    public var language: Language = .chinese

    /// The refused field, if any, for the screen to mark.
    public var problemField: String? {
        if case let .error(error) = phase { return error.field }
        return nil
    }

    /// The words to show under `field` (the library's name of it), if it
    /// was refused.
    public func problem(_ field: String, _ strings: Strings = Strings(.chinese)) -> String? {
        guard case let .error(error) = phase, error.field == field else { return nil }
        return compensationProblem(error, strings)
    }

    /// The estimate shown, if any.
    public var breakdown: CompensationBreakdown? {
        if case let .result(breakdown) = phase { return breakdown }
        return nil
    }

    public init() {}
}

/// The compensation calculators (赔偿计算器): personal injury, traffic
/// accident, work injury and severance, each the library's typed call over
/// the core's sourced parameter table, offline. The view model keeps the
/// form, turns it into the library's request, runs the calculation off the
/// main actor and shows the breakdown or the refused field. Mirrors
/// Android's CompensationCalculatorPresenter.
@MainActor
public final class CompensationCalculatorViewModel {
    public let state: StateHolder<CompensationCalculatorState>
    /// Counts calculations, so an answer for a form since changed (edited,
    /// another calculator) is dropped.
    private var generation = 0

    public init(calculator: Calculator = .personalInjury, language: Language = .chinese) {
        var initial = CompensationCalculatorState()
        initial.calculator = calculator
        initial.language = language
        initial.yearChoices = Self.years(calculator)
        initial.form.year = initial.yearChoices.last.map(String.init) ?? ""
        state = StateHolder(initial)
    }

    /// The years the library's table holds for a calculator (for Zhejiang:
    /// the residents' income for personal injury, the average wage for work
    /// injury and severance), oldest first; none if it cannot say.
    public nonisolated static func years(_ calculator: Calculator) -> [UInt16] {
        (try? calculatorYears(calculator: calculator)) ?? []
    }

    /// Switches calculator: the shared fields stay, the year too when the
    /// new calculator offers it (else its latest), the estimate is cleared.
    public func select(_ calculator: Calculator) {
        generation += 1
        let years = Self.years(calculator)
        state.update {
            if !years.map(String.init).contains($0.form.year) { $0.form.year = years.last.map(String.init) ?? "" }
            $0.yearChoices = years
            $0.calculator = calculator
            $0.phase = .editing
        }
    }

    /// Picks the statistical year among `yearChoices`; another is ignored.
    public func selectYear(_ year: UInt16) {
        guard state.value.yearChoices.contains(year) else { return }
        edit { $0.year = String(year) }
    }

    /// The app's language changed: the estimate is explained in it from
    /// now on, and an estimate on screen is computed again in it.
    public func setLanguage(_ language: Language) async {
        guard state.value.language != language else { return }
        let shown = state.value.breakdown != nil
        state.update { $0.language = language }
        if shown { await calculate() }
    }

    /// Changes the form; an estimate or a refusal for the old form goes.
    public func edit(_ change: (inout CompensationForm) -> Void) {
        generation += 1
        state.update {
            change(&$0.form)
            $0.phase = .editing
        }
    }

    public func addDependant() { edit { $0.dependants.append(DependantInput()) } }

    public func removeDependant(at index: Int) {
        edit { if $0.dependants.indices.contains(index) { $0.dependants.remove(at: index) } }
    }

    /// Checks the whole numbers, then has the library compute the estimate
    /// off the main actor.
    public func calculate() async {
        let current = state.value
        generation += 1
        let mine = generation
        let call: @Sendable () throws -> CompensationBreakdown
        do {
            call = try Self.request(current.calculator, current.form, current.language.library)
        } catch {
            return state.update { $0.phase = .error(Self.uiError(error)) }
        }
        state.update { $0.phase = .calculating }
        let phase: CompensationCalculatorState.Phase
        do {
            phase = try await .result(offMain(call))
        } catch {
            phase = .error(Self.uiError(error))
        }
        guard mine == generation else { return }
        state.update { $0.phase = phase }
    }

    /// A whole number the form holds as text (`field` the library's name);
    /// anything else is refused by field in the app's words.
    private nonisolated static func whole<T: FixedWidthInteger>(_ text: String, _ field: String) throws -> T {
        guard let value = T(text.trimmingCharacters(in: .whitespaces)) else {
            throw FormProblem(error: UiError(key: .calcWholeNumber, field: field))
        }
        return value
    }

    private nonisolated static func optionalText(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// The library's call for the form, once its whole numbers are read.
    private nonisolated static func request(
        _ calculator: Calculator, _ form: CompensationForm, _ language: LawCircleFFI.Language
    ) throws -> @Sendable () throws -> CompensationBreakdown {
        let year: UInt16 = try whole(form.year, "year")
        switch calculator {
        case .personalInjury:
            let request = try injury(form, year: year)
            return { try calculatePersonalInjury(request: request, language: language) }
        case .trafficAccident:
            let request = try TrafficAccidentRequest(
                injury: injury(form, year: year), faultSharePercent: form.faultSharePercent,
                insuredAtFault: nil, propertyLoss: optionalText(form.propertyLoss))
            return { try calculateTrafficAccident(request: request, language: language) }
        case .workInjury:
            let outcome: WorkInjuryOutcome
            switch form.workOutcome {
            case .disability: outcome = try .disability(grade: whole(form.disabilityGrade, "outcome.grade"))
            case .death: outcome = .death
            }
            let request = WorkInjuryRequest(
                region: form.region, year: year, monthlyWage: optionalText(form.monthlyWage), outcome: outcome)
            return { try calculateWorkInjury(request: request, language: language) }
        case .severance:
            let request = try SeveranceRequest(
                region: form.region, year: year, monthlyWage: form.monthlyWage,
                monthsOfService: whole(form.monthsOfService, "months_of_service"),
                termination: form.termination, lastMonthWage: optionalText(form.lastMonthWage))
            return { try calculateSeverance(request: request, language: language) }
        }
    }

    private nonisolated static func injury(_ form: CompensationForm, year: UInt16) throws -> PersonalInjuryRequest {
        let outcome: InjuryOutcome
        switch form.injuryOutcome {
        case .injury: outcome = .injury
        case .disability: outcome = try .disability(grade: whole(form.disabilityGrade, "outcome.grade"))
        case .death: outcome = .death
        }
        let dependants = try form.dependants.enumerated().map { n, d in
            try Dependant(
                age: d.age, obligedPersons: whole(d.obligedPersons, "dependants[\(n)].obliged_persons"),
                label: optionalText(d.label))
        }
        let item = { (key: CompensationItem) in optionalText(form.items[key] ?? "") }
        return try PersonalInjuryRequest(
            region: form.region, year: year, age: whole(form.age, "age"), outcome: outcome,
            dependants: dependants,
            items: EnteredItems(
                medical: item(.medical), lostWages: item(.lostWages), nursing: item(.nursing),
                hospitalMeals: item(.hospitalMeals), nutrition: item(.nutrition), transport: item(.transport),
                lodging: item(.lodging), appraisal: item(.appraisal), assistiveDevices: item(.assistiveDevices),
                mentalSolatium: item(.mentalSolatium)))
    }

    /// The screen's error; a traffic accident's injury fields are the same
    /// fields of the form, so the library's `injury.` prefix goes.
    private nonisolated static func uiError(_ error: Error) -> UiError {
        if let own = error as? FormProblem { return own.error }
        if case let .InvalidInput(field, reason)? = error as? LawCircleError, field.hasPrefix("injury.") {
            return UiError(LawCircleError.InvalidInput(field: String(field.dropFirst(7)), reason: reason))
        }
        return UiError(error)
    }
}

/// A field the view model itself refused (a whole number that is not one).
private struct FormProblem: Error {
    let error: UiError
}

/// A calculator's name in the user's language.
public func calculatorName(_ calculator: Calculator, _ strings: Strings = Strings(.chinese)) -> String {
    switch calculator {
    case .personalInjury: return strings(.calcPersonalInjury)
    case .trafficAccident: return strings(.calcTrafficAccident)
    case .workInjury: return strings(.calcWorkInjury)
    case .severance: return strings(.calcSeverance)
    }
}

/// How a termination is named on the severance form.
public func terminationName(_ termination: Termination, _ strings: Strings = Strings(.chinese)) -> String {
    switch termination {
    case .lawful: return strings(.calcTerminationLawful)
    case .lawfulInLieuOfNotice: return strings(.calcTerminationInLieu)
    case .unlawful: return strings(.calcTerminationUnlawful)
    }
}

/// An injury outcome's name on the form.
public func injuryOutcomeName(_ outcome: InjuryOutcomeChoice, _ strings: Strings = Strings(.chinese)) -> String {
    switch outcome {
    case .injury: return strings(.calcOutcomeInjury)
    case .disability: return strings(.calcOutcomeDisability)
    case .death: return strings(.calcOutcomeDeath)
    }
}

/// A work-injury outcome's name on the form.
public func workOutcomeName(_ outcome: WorkInjuryOutcomeChoice, _ strings: Strings = Strings(.chinese)) -> String {
    switch outcome {
    case .disability: return strings(.calcOutcomeDisability)
    case .death: return strings(.calcWorkDeath)
    }
}

/// A costs item's name on the form.
public func compensationItemName(_ item: CompensationItem, _ strings: Strings = Strings(.chinese)) -> String {
    switch item {
    case .medical: return strings(.calcItemMedical)
    case .lostWages: return strings(.calcItemLostWages)
    case .nursing: return strings(.calcItemNursing)
    case .hospitalMeals: return strings(.calcItemHospitalMeals)
    case .nutrition: return strings(.calcItemNutrition)
    case .transport: return strings(.calcItemTransport)
    case .lodging: return strings(.calcItemLodging)
    case .appraisal: return strings(.calcItemAppraisal)
    case .assistiveDevices: return strings(.calcItemAssistiveDevices)
    case .mentalSolatium: return strings(.calcItemMentalSolatium)
    }
}

/// A form field, as the library (or the view model) names it in a
/// refusal, in words: `dependants[1].age` is "第2位被扶养人的年龄".
public func compensationFieldName(_ field: String, _ strings: Strings = Strings(.chinese)) -> String {
    if field.hasPrefix("items."), let item = CompensationItem(rawValue: String(field.dropFirst(6))) {
        return compensationItemName(item, strings)
    }
    if field.hasPrefix("dependants["), let close = field.firstIndex(of: "]"),
        let n = Int(field[field.index(field.startIndex, offsetBy: 11)..<close])
    {
        let rest = field[field.index(after: close)...]
        let what = rest == ".obliged_persons" ? strings(.calcObligedPersons) : strings(.calcDependantAge)
        return strings(.calcDependantField, n + 1, what)
    }
    switch field {
    case "region": return strings(.calcRegion)
    case "year": return strings(.calcYear)
    case "age": return strings(.calcAge)
    case "outcome.grade": return strings(.calcGrade)
    case "dependants": return strings(.calcDependants)
    case "fault_share_percent": return strings(.calcFaultShare)
    case "property_loss": return strings(.calcPropertyLoss)
    case "monthly_wage": return strings(.calcMonthlyWage)
    case "months_of_service": return strings(.calcMonthsOfService)
    case "last_month_wage": return strings(.calcLastMonthWage)
    default: return field
    }
}

/// A refusal of the calculators' form in words: the field's name, then
/// what is wrong (the app's words for its own checks, the library's
/// reason otherwise).
public func compensationProblem(_ error: UiError, _ strings: Strings = Strings(.chinese)) -> String {
    guard let field = error.field, error.kind == .invalidInput else { return error.text(strings) }
    return strings(.calcFieldProblem, compensationFieldName(field, strings), error.text(strings))
}
