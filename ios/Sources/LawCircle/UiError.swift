import LawCircleFFI

/// What a screen shows for a failed call, and which form field to mark.
public struct UiError: Equatable, Sendable {
    /// Which of the core's error cases it was (a screen shows "offline"
    /// differently from "refused").
    public enum Kind: Equatable, Sendable {
        case invalidInput
        case network
        case server
        case `internal`
        case other
    }

    public let message: String
    public let field: String?
    public let kind: Kind
    /// The HTTP status when the platform refused (e.g. 409: taken, or
    /// changed meanwhile).
    public let status: UInt16?

    public init(message: String, field: String? = nil, kind: Kind = .other, status: UInt16? = nil) {
        self.message = message
        self.field = field
        self.kind = kind
        self.status = status
    }

    /// Maps the core's error enum to what a screen shows.
    public init(_ error: Error) {
        switch error as? LawCircleError {
        case let .InvalidInput(field, reason)?:
            self.init(message: reason, field: field, kind: .invalidInput)
        case let .Network(reason)?:
            self.init(message: "No connection to the LawCircle platform: \(reason)", kind: .network)
        case let .Server(status, code, reason)?:
            self.init(message: "The platform refused (\(code)): \(reason)", kind: .server, status: status)
        case let .Internal(reason)?:
            self.init(message: "Internal error: \(reason)", kind: .internal)
        case nil:
            self.init(message: String(describing: error))
        }
    }
}
