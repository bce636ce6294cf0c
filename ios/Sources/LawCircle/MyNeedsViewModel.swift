import Foundation
import LawCircleFFI

/// What the "my needs" screen (我的需求) shows.
public struct MyNeedsState: Equatable, Sendable {
    public var needs: [NeedStatus] = []
    public var loading = false
    public var error: UiError?

    /// The needs whose service the user may rate now (the server says so).
    public var rateable: [NeedStatus] { needs.filter(\.mayRate) }

    public init() {}
}

/// The needs the user filed or that were filed for them (a lawyer on site
/// entering their verified number), each with its status and its order's
/// state. A rateable one opens the rating screen (`rating(for:)`).
/// Offline, the last list stays with the error. Mirrors Android's
/// MyNeedsPresenter.
@MainActor
public final class MyNeedsViewModel {
    public let state = StateHolder<MyNeedsState>(MyNeedsState())
    private let client: LawCircleClient

    private var ratings: [String: RatingViewModel] = [:]

    public init(client: LawCircleClient) { self.client = client }

    /// The rating screen for a need the user may rate now (the server says
    /// so); nil for any other. One per order, so a screen redrawn after a
    /// refresh keeps the stars already picked.
    public func rating(for need: NeedStatus) -> RatingViewModel? {
        guard need.mayRate, let orderId = need.orderId else { return nil }
        if let kept = ratings[orderId] { return kept }
        let made = RatingViewModel(client: client, orderId: orderId)
        ratings[orderId] = made
        return made
    }

    public func refresh() async {
        state.update {
            $0.loading = true
            $0.error = nil
        }
        do {
            let needs = try await client.myNeeds()
            state.update {
                $0.loading = false
                $0.needs = needs
            }
        } catch {
            state.update {
                $0.loading = false
                $0.error = UiError(error)
            }
        }
    }
}
