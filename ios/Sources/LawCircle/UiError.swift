import LawCircleFFI

/// What a screen shows for a failed call, and which form field to mark.
/// The words come from `text(_:)` in the user's language; `detail` is what
/// the library or the server said (shown as it is: the platform words it).
public struct UiError: Equatable, Sendable {
    /// Which of the core's error cases it was (a screen shows "offline"
    /// differently from "refused").
    public enum Kind: Equatable, Sendable {
        case invalidInput
        case network
        case server
        /// Someone else was first, or the record changed meanwhile (the
        /// order was taken, already rated…).
        case conflict
        /// The server did not accept who the user is: sign in again.
        case unauthenticated
        case cancelled
        case `internal`
        case other
    }

    /// The library's or the server's reason, or the app's own words.
    public let detail: String
    public let field: String?
    public let kind: Kind
    /// The server's error code, when it refused.
    public let code: String?
    /// The HTTP status, when the server refused (403: not allowed, 404: not
    /// there or not the user's).
    public let status: UInt16?
    /// The app's own text, when the refusal is the app's (a blank field).
    public let key: TextKey?

    public init(message: String, field: String? = nil, kind: Kind = .other) {
        self.init(detail: message, field: field, kind: kind, code: nil, key: nil, status: nil)
    }

    /// A refusal of the app's own, in words of the tables.
    public init(key: TextKey, field: String? = nil, kind: Kind = .invalidInput) {
        self.init(detail: Strings(.chinese)(key), field: field, kind: kind, code: nil, key: key, status: nil)
    }

    private init(detail: String, field: String?, kind: Kind, code: String?, key: TextKey?, status: UInt16? = nil) {
        self.detail = detail
        self.status = status
        self.field = field
        self.kind = kind
        self.code = code
        self.key = key
    }

    /// Maps the core's error enum to what a screen shows.
    public init(_ error: Error) {
        switch error as? LawCircleError {
        case let .InvalidInput(field, reason)?:
            self.init(detail: reason, field: field, kind: .invalidInput, code: nil, key: nil)
        case let .Network(reason)?:
            self.init(detail: reason, field: nil, kind: .network, code: nil, key: nil)
        case let .Server(status, code, reason)?:
            self.init(detail: reason, field: nil, kind: .server, code: code, key: nil, status: status)
        case let .Conflict(reason)?:
            self.init(detail: reason, field: nil, kind: .conflict, code: nil, key: nil)
        case let .Unauthenticated(reason)?:
            self.init(detail: reason, field: nil, kind: .unauthenticated, code: nil, key: nil)
        case .Cancelled?:
            self.init(detail: "", field: nil, kind: .cancelled, code: nil, key: nil)
        case let .Internal(reason)?:
            self.init(detail: reason, field: nil, kind: .internal, code: nil, key: nil)
        case nil:
            self.init(detail: String(describing: error), field: nil, kind: .other, code: nil, key: nil)
        }
    }

    /// The words a screen shows, in the user's language.
    public func text(_ strings: Strings) -> String {
        if let key { return strings(key) }
        switch kind {
        case .invalidInput, .other: return detail
        case .network: return strings(.errorNetwork, detail)
        case .server: return strings(.errorServer, code ?? "", detail)
        case .conflict: return strings(.errorConflict, detail)
        case .unauthenticated: return strings(.errorUnauthenticated, detail)
        case .cancelled: return strings(.errorCancelled)
        case .internal: return strings(.errorInternal, detail)
        }
    }

    /// The words in Chinese (logs and tests; screens use `text(_:)`).
    public var message: String { text(Strings(.chinese)) }
}
