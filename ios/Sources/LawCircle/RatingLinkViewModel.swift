import Foundation
import LawCircleFFI

/// What the end-of-service screen (服务评价二维码) shows.
public struct RatingLinkState: Equatable, Sendable {
    public enum Phase: Equatable, Sendable {
        case idle
        case loading
        /// The one-time link: the screen draws its QR code (made by the
        /// server, see `qrSize` and `isDark`) and shows it as text.
        case ready(RatingLink)
        case error(UiError)
    }

    public var phase: Phase = .idle

    public init() {}

    /// Modules per side of the link's QR code (0 without a link). The
    /// screen draws `qrSize`×`qrSize` squares, `isDark` ones black, with
    /// four light modules of margin around them.
    public var qrSize: Int {
        guard case let .ready(link) = phase else { return 0 }
        return Int(link.qr.size)
    }

    /// Whether the module at `row`, `col` (from the top left) is dark.
    public func isDark(row: Int, col: Int) -> Bool {
        guard case let .ready(link) = phase else { return false }
        let n = qrSize
        guard (0..<n).contains(row), (0..<n).contains(col) else { return false }
        let modules = link.qr.modules.utf8
        guard modules.count == n * n else { return false }
        return modules[modules.index(modules.startIndex, offsetBy: row * n + col)] == UInt8(ascii: "1")
    }
}

/// The volunteer or lawyer holding a resolved order shows its rating link
/// to a requester without an account. Mirrors Android's RatingLinkPresenter.
@MainActor
public final class RatingLinkViewModel {
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
