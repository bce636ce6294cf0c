import Foundation
import LawCircleFFI

/// What the end-of-service screen (服务评价二维码) shows.
public struct RatingLinkState: Equatable, Sendable {
    public enum Phase: Equatable, Sendable {
        case idle
        case loading
        /// The one-time link: the screen draws it as a QR code
        /// (CoreImage's QR generator) and shows it as text.
        case ready(RatingLink)
        case error(UiError)
    }

    public var phase: Phase = .idle

    public init() {}
}

/// The volunteer or lawyer holding a resolved order shows its rating link
/// to a requester without an account. Mirrors Android's RatingLinkPresenter.
public final class RatingLinkViewModel: @unchecked Sendable {
    public let state = StateHolder<RatingLinkState>(RatingLinkState())
    public let orderId: String
    private let client: LawCircleClient

    public init(client: LawCircleClient, orderId: String) {
        self.client = client
        self.orderId = orderId
    }

    /// Makes a new link (any of them rates the order once).
    public func load() async {
        state.update { $0.phase = .loading }
        do {
            let link = try await client.ratingLink(orderId: orderId)
            state.update { $0.phase = .ready(link) }
        } catch {
            state.update { $0.phase = .error(UiError(error)) }
        }
    }
}
