import LawCircleFFI

/// What a screen shows for a failed call, and which form field to mark.
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
        case `internal`
        case other
    }

    public let message: String
    public let field: String?
    public let kind: Kind
    public init(message: String, field: String? = nil, kind: Kind = .other) {
        self.message = message
        self.field = field
        self.kind = kind
    }

    /// Maps the core's error enum to what a screen shows.
    public init(_ error: Error) {
        switch error as? LawCircleError {
        case let .InvalidInput(field, reason)?:
            self.init(message: reason, field: field, kind: .invalidInput)
        case let .Network(reason)?:
            self.init(message: "No connection to the LawCircle platform: \(reason)", kind: .network)
        case let .Server(_, code, reason)?:
            self.init(message: "The platform refused (\(code)): \(reason)", kind: .server)
        case let .Conflict(reason)?:
            self.init(message: "Someone else was first, or it changed meanwhile: \(reason)", kind: .conflict)
        case let .Unauthenticated(reason)?:
            self.init(message: "Please sign in again: \(reason)", kind: .unauthenticated)
        case .Cancelled?:
            self.init(message: "Cancelled", kind: .other)
        case let .Internal(reason)?:
            self.init(message: "Internal error: \(reason)", kind: .internal)
        case nil:
            self.init(message: String(describing: error))
        }
    }
}
