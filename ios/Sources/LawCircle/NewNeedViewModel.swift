import Foundation
import LawCircleFFI

extension NeedForm {
    /// An empty form for `channel` (`online` for a resident's own need,
    /// `on_site` for a lawyer at a duty post).
    public static func blank(
        channel: Channel = .online, areaCode: String = "",
        postId: String? = nil, noticeVersion: String = "v1"
    ) -> NeedForm {
        NeedForm(
            requesterName: "", requesterPhone: "", requesterIdNumber: nil, enterpriseName: nil,
            enterpriseCreditCode: nil, category: .consultation, description: "", urgency: .normal,
            address: "", areaCode: areaCode, point: nil, channel: channel, postId: postId,
            consentGiven: false, consentNoticeVersion: noticeVersion, attachments: [], application: nil)
    }
}

/// Problems of a form, by field (`requester.phone`, `attachments[0]`,
/// `application.answers.<code>`…), as the core found them.
public struct FieldProblems: Equatable, Sendable {
    public private(set) var byField: [String: String] = [:]

    public init(_ problems: [FieldProblem] = []) {
        for p in problems where byField[p.field] == nil { byField[p.field] = p.reason }
    }

    public var isEmpty: Bool { byField.isEmpty }
    public var fields: [String] { byField.keys.sorted() }
    public subscript(field: String) -> String? { byField[field] }
}

/// What the new-need screen shows.
public struct NewNeedState: Equatable, Sendable {
    public enum Phase: Equatable, Sendable {
        case editing
        /// Queued in the outbox (durable): delivered when online.
        case submitted(outboxKey: String)
        case error(UiError)
    }

    /// The form being filled in (personal data: kept only until it is
    /// queued, then cleared).
    public var form: NeedForm
    /// Every problem the core finds, field by field; empty once valid.
    public var problems = FieldProblems()
    /// Whether any field was checked yet (a fresh form shows no problems).
    public var checked = false
    public var phase: Phase = .editing
}

/// The need form (需求登记): a resident's own need or one a lawyer enters on
/// site. Checked field by field with the core's rules (the server runs the
/// same), queued in the outbox with its photos, delivered by the outbox's
/// sync. Mirrors Android's NewNeedPresenter.
@MainActor
public final class NewNeedViewModel {
    public let state: StateHolder<NewNeedState>
    /// The categories to pick from, in order.
    public let categories: [NeedCategoryInfo] = needCategories()
    private let client: LawCircleClient
    private let blank: NeedForm

    public init(client: LawCircleClient, blank: NeedForm = .blank()) {
        self.client = client
        self.blank = blank
        state = StateHolder(NewNeedState(form: blank))
    }

    /// Changes the form at once (a text field's binding needs that), then,
    /// once it was checked before, checks it again off the main actor so
    /// problems clear as the user fixes them. The returned task ends when
    /// that check is shown.
    @discardableResult
    public func edit(_ change: (inout NeedForm) -> Void) -> Task<Void, Never> {
        state.update {
            change(&$0.form)
            if case .submitted = $0.phase { $0.phase = .editing }
        }
        guard state.value.checked else { return Task {} }
        return Task { await self.validate() }
    }

    /// Adds the photo or document at `file` (e.g. a downscaled JPEG in the
    /// app's caches folder). The library checks it once (the content
    /// decides its type; a missing or unreadable file is refused under
    /// `attachments[i]`) and keeps its own copy once the need is queued, so
    /// the app may delete the file afterwards.
    @discardableResult
    public func addAttachment(_ file: URL, displayName: String? = nil) -> Task<Void, Never> {
        edit { $0.attachments.append(AttachmentInput(path: file.path, displayName: displayName)) }
    }

    @discardableResult
    public func removeAttachment(at index: Int) -> Task<Void, Never> {
        edit { if $0.attachments.indices.contains(index) { $0.attachments.remove(at: index) } }
    }

    /// Checks every field with the core (off the main actor: a new photo is
    /// read, hashed and copied once); true when it can be submitted. A check that
    /// finishes after the form changed again is not shown: the newer one is.
    @discardableResult
    public func validate() async -> Bool {
        let form = state.value.form
        do {
            let client = self.client
            let problems = FieldProblems(try await offMain { try client.validateNeed(form: form) })
            guard state.value.form == form else { return false }
            state.update {
                $0.problems = problems
                $0.checked = true
            }
            return problems.isEmpty
        } catch {
            state.update { $0.phase = .error(UiError(error)) }
            return false
        }
    }

    /// Queues the need (a write to the phone's database, off the main
    /// actor); on success the form is cleared for the next one.
    public func submit() async {
        guard await validate() else { return }
        do {
            let client = self.client
            let form = state.value.form
            let key = try await client.submitNeed(form: form)
            let blank = self.blank
            state.update {
                $0 = NewNeedState(form: blank)
                $0.phase = .submitted(outboxKey: key)
            }
        } catch let LawCircleError.InvalidInput(field, reason) {
            state.update { $0.problems = FieldProblems([FieldProblem(field: field, reason: reason)]) }
        } catch {
            state.update { $0.phase = .error(UiError(error)) }
        }
    }
}
