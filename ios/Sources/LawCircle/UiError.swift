import LawCircleFFI

/// What a screen shows for a failed call, and which form field to mark.
public struct UiError: Equatable, Sendable {
    public let message: String
    public let field: String?

    public init(message: String, field: String? = nil) {
        self.message = message
        self.field = field
    }

    /// Maps the core's error enum to what a screen shows.
    public init(_ error: Error) {
        switch error as? LawCircleError {
        case let .InvalidInput(field, reason)?:
            self.init(message: reason, field: field)
        case let .Network(reason)?:
            self.init(message: "No connection to the LawCircle platform: \(reason)")
        case let .Server(_, code, reason)?:
            self.init(message: "The platform refused (\(code)): \(reason)")
        case let .Internal(reason)?:
            self.init(message: "Internal error: \(reason)")
        case nil:
            self.init(message: String(describing: error))
        }
    }
}
