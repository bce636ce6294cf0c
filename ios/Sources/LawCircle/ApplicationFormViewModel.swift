import Foundation
import LawCircleFFI

/// One field of an open application form: what to draw and what the user
/// entered, with the core's verdict on it.
public struct FormFieldState: Equatable, Sendable {
    public let spec: FormFieldSpec
    /// The text as typed (a single select: the chosen key).
    public var raw: String = ""
    /// A multi-select's chosen keys, in the order they were ticked.
    public var choices: [String] = []
    /// The core's problem with the answer, once edited.
    public var problem: String?

    public var code: String { spec.code }
    public var widget: FormWidget { spec.widget }
    /// A multi-select's chosen keys.
    public var selected: [String] { choices }
    /// The answer as the library takes it.
    public var input: AnswerInput {
        widget == .multiSelect ? .choices(keys: choices) : .text(text: raw)
    }
}

/// An application form opened for filling in.
public struct OpenApplication: Equatable, Sendable {
    public enum Phase: Equatable, Sendable {
        case editing
        /// Filed as a need, queued in the outbox (durable); the fields are
        /// empty again.
        case submitted(outboxKey: String)
        case error(UiError)
    }

    public let form: ServiceForm
    /// One per `FormFieldSpec`, in the form's order.
    public var fields: [FormFieldState]
    /// For legal aid (`form.isLegalAid`): the pre-assessment of the
    /// answers so far and the documents still missing.
    public var assessment: LegalAidAssessment?
    /// Documents already handed in (legal aid).
    public var providedDocuments: [DocumentKind] = []
    /// Problems of the need the application is filed with (requester,
    /// consent…), by field.
    public var needProblems = FieldProblems()
    public var phase: Phase = .editing

    public func field(_ code: String) -> FormFieldState? { fields.first { $0.code == code } }
    public var answers: [FormAnswer] { fields.map { FormAnswer(field: $0.code, value: $0.input) } }
}

/// What the application screen shows.
public struct ApplicationFormState: Equatable, Sendable {
    public enum Forms: Equatable, Sendable {
        case loading
        case content([ServiceForm])
        case error(UiError)
    }

    public var forms: Forms = .loading
    /// Why the list could not be refreshed (the phone's copy is shown).
    public var refreshError: UiError?
    public var open: OpenApplication?

    public init() {}
}

/// The generic form renderer: lists the district's application
/// forms, opens one as a field state per `FormFieldSpec` with its widget,
/// checks each answer as it is edited with the core, assesses legal aid and
/// lists its missing documents, and files the answers as a need. A new
/// application type is data, not an app release. Mirrors Android's
/// ApplicationFormPresenter.
@MainActor
public final class ApplicationFormViewModel {
    public let state = StateHolder<ApplicationFormState>(ApplicationFormState())
    private let client: LawCircleClient
    /// The service code of legal aid, as the library names it.
    public nonisolated static let legalAidCode = legalAidServiceCode()

    public init(client: LawCircleClient) { self.client = client }

    /// Fetches the forms when online, then lists the phone's copy.
    public func loadForms() async {
        state.update { $0.forms = .loading }
        var refreshError: UiError?
        do {
            _ = try await client.refreshServiceForms()
        } catch {
            refreshError = UiError(error)
        }
        do {
            let forms = try client.serviceForms()
            state.update {
                $0.refreshError = refreshError
                $0.forms = forms.isEmpty && refreshError != nil ? .error(refreshError!) : .content(forms)
            }
        } catch {
            state.update { $0.forms = .error(UiError(error)) }
        }
    }

    /// Opens the newest version of a form, every field empty.
    public func open(serviceCode: String) {
        do {
            let form = try client.serviceForm(serviceCode: serviceCode)
            state.update { $0.open = OpenApplication(form: form, fields: form.fields.map { FormFieldState(spec: $0) }) }
            assess()
        } catch {
            state.update {
                $0.open = nil; $0.forms = .error(UiError(error))
            }
        }
    }

    public func close() { state.update { $0.open = nil } }

    /// The user edited a field: keeps the text and checks it with the core.
    public func answer(field: String, raw: String) {
        change(field: field) { $0.raw = raw }
    }

    private func change(field: String, _ edit: (inout FormFieldState) -> Void) {
        guard let open = state.value.open, var changed = open.field(field) else { return }
        edit(&changed)
        let problem: String?
        do {
            problem = try client.checkFormAnswer(
                serviceCode: open.form.serviceCode, version: open.form.version,
                answer: FormAnswer(field: field, value: changed.input))?.reason
        } catch {
            state.update { $0.open?.phase = .error(UiError(error)) }
            return
        }
        changed.problem = problem
        state.update {
            guard let i = $0.open?.fields.firstIndex(where: { $0.code == field }) else { return }
            $0.open?.fields[i] = changed
            if case .submitted = $0.open?.phase { $0.open?.phase = .editing }
        }
        assess()
    }

    /// A multi-select's choice tapped: on when off, off when on.
    public func toggle(field: String, key: String) {
        guard let current = state.value.open?.field(field) else { return }
        var keys = current.selected
        if let i = keys.firstIndex(of: key) { keys.remove(at: i) } else { keys.append(key) }
        change(field: field) { $0.choices = keys }
    }

    /// The documents already handed in (legal aid).
    public func setProvidedDocuments(_ kinds: [DocumentKind]) {
        state.update { $0.open?.providedDocuments = kinds }
        assess()
    }

    /// Files the answers as a need: `need` holds the requester, consent and
    /// area; its category becomes the one the core files the application
    /// type under. Every problem is shown field by field (the
    /// application's on its fields, the rest in `needProblems`).
    public func submit(as need: NeedForm) async {
        guard let open = state.value.open else { return }
        var need = need
        need.application = ApplicationInput(
            serviceCode: open.form.serviceCode, version: open.form.version,
            answers: open.answers)
        need.category = open.form.needCategory
        let client = self.client
        let filed = need
        do {
            // Off the main actor: the need's photos are hashed and sniffed.
            let (formList, needList) = try await offMain {
                (
                    try client.validateApplication(
                        serviceCode: open.form.serviceCode, version: open.form.version,
                        answers: open.answers),
                    try client.validateNeed(form: filed)
                )
            }
            let prefix = "application.answers."
            var rest: [FieldProblem] = []
            var byField = FieldProblems(formList).byField
            for p in needList {
                if p.field.hasPrefix(prefix) {
                    let code = String(p.field.dropFirst(prefix.count))
                    if byField[code] == nil { byField[code] = p.reason }
                } else {
                    rest.append(p)
                }
            }
            let needProblems = FieldProblems(rest)
            state.update {
                guard $0.open != nil else { return }
                for i in $0.open!.fields.indices {
                    $0.open!.fields[i].problem = byField[$0.open!.fields[i].code]
                }
                $0.open!.needProblems = needProblems
            }
            guard byField.isEmpty, needProblems.isEmpty else { return }
            let key = try await client.submitNeed(form: filed)
            // Queued durably: the answers (personal data) are not kept.
            state.update {
                guard let form = $0.open?.form else { return }
                $0.open = OpenApplication(form: form, fields: form.fields.map { FormFieldState(spec: $0) })
                $0.open?.phase = .submitted(outboxKey: key)
            }
        } catch {
            state.update { $0.open?.phase = .error(UiError(error)) }
        }
    }

    /// Legal aid: the pre-assessment of the answers so far (offline).
    private func assess() {
        guard let open = state.value.open, open.form.isLegalAid else {
            return
        }
        do {
            let assessment = try client.legalAidAssessment(
                version: open.form.version, answers: open.answers,
                providedDocuments: open.providedDocuments)
            state.update { $0.open?.assessment = assessment }
        } catch {
            state.update { $0.open?.phase = .error(UiError(error)) }
        }
    }
}
