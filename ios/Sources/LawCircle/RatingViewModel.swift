import Foundation
import LawCircleFFI

/// What the rating (评价) screen shows.
public struct RatingState: Equatable, Sendable {
    public enum Phase: Equatable, Sendable {
        case editing
        case sending
        /// Rated: the order is `evaluated`; the screen offers no second go.
        case rated(OrderSummary)
        /// A refused score (`field` is `score`), an order rated already
        /// (`kind == .conflict`) or no connection.
        case error(UiError)
    }

    /// 1–5 stars; nil until picked.
    public var score: Int?
    public var comment: String = ""
    public var phase: Phase = .editing

    public init() {}
}

/// The resident rates a resolved order, once. The rules (1–5, once) are the
/// core's and the server's; mirrors Android's RatingPresenter.
@MainActor
public final class RatingViewModel {
    public let state = StateHolder<RatingState>(RatingState())
    public let orderId: String
    private let client: LawCircleClient

    public init(client: LawCircleClient, orderId: String) {
        self.client = client
        self.orderId = orderId
    }

    public func setScore(_ score: Int) {
        state.update {
            $0.score = score
            if case .error = $0.phase { $0.phase = .editing }
        }
    }

    public func setComment(_ comment: String) { state.update { $0.comment = comment } }

    /// Sends the rating; once rated, does nothing.
    public func submit() async {
        var current = RatingState()
        var go = false
        state.update {
            switch $0.phase {
            case .rated, .sending:
                break
            case .editing, .error:
                $0.phase = .sending
                go = true
            }
            current = $0
        }
        guard go else { return }
        // A score the screen cannot even send as a byte is sent as 0, which
        // the core refuses like any other score out of range.
        let score = current.score.flatMap { UInt8(exactly: $0) } ?? 0
        let comment = current.comment.trimmingCharacters(in: .whitespacesAndNewlines)
        do {
            let order = try await client.rateOrder(
                orderId: orderId, score: score,
                comment: comment.isEmpty ? nil : comment)
            state.update { $0.phase = .rated(order) }
        } catch {
            state.update { $0.phase = .error(UiError(error)) }
        }
    }
}
