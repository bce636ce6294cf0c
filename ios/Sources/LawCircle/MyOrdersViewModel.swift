import Foundation
import LawCircleFFI

/// What the holder of an order may do next. The buttons a row shows; the
/// core's order machine on the server decides (an action the order no
/// longer allows comes back as a conflict, shown as "changed meanwhile").
public enum HolderAction: Equatable, Sendable, CaseIterable {
    /// Take a dispatched order (派单): it starts at once.
    case accept
    /// Give it back, saying why.
    case decline
    /// Start a grabbed consultation.
    case start
    /// Close the service with a note.
    case resolve

    /// The actions the core's order machine allows the holder in `state`
    /// (`Assigned → InProgress` on accept, `Claimed | Assigned → Open` on
    /// decline, `Claimed → InProgress` on start, `InProgress → Resolved`).
    public static func allowed(in state: OrderState) -> [HolderAction] {
        switch state {
        case .assigned: return [.accept, .decline]
        case .claimed: return [.start, .decline]
        case .inProgress: return [.resolve]
        case .submitted, .open, .resolved, .evaluated, .closed, .transferred, .escalated, .cancelled:
            return []
        }
    }
}

/// Where one of the user's orders stands, for grouping the list.
public enum OrderStage: Equatable, Sendable, CaseIterable {
    /// Dispatched to the user: accept or decline.
    case waitingForMe
    /// Taken in: to start or to resolve.
    case working
    /// Resolved, rated or closed.
    case done
    /// Transferred, escalated, cancelled or not taken by anyone yet.
    case other

    public init(_ state: OrderState) {
        switch state {
        case .assigned: self = .waitingForMe
        case .claimed, .inProgress: self = .working
        case .resolved, .evaluated, .closed: self = .done
        case .submitted, .open, .transferred, .escalated, .cancelled: self = .other
        }
    }
}

/// What the "my orders" (我的工单) screen shows.
public struct MyOrdersState: Equatable, Sendable {
    public enum Phase: Equatable, Sendable {
        /// Not asked yet.
        case idle
        case loading
        /// The server's list (possibly empty: `isEmpty`).
        case content
        /// No connection: the list is the last one read, if any.
        case offline(UiError)
        case error(UiError)
    }

    public enum Action: Equatable, Sendable {
        case none
        case working(orderId: String, HolderAction)
        /// The order as the server has it after the action.
        case done(OrderSummary, HolderAction)
        case error(orderId: String, UiError)
    }

    /// The orders the user holds or held, newest first.
    public var orders: [OrderSummary] = []
    public var phase: Phase = .idle
    public var action: Action = .none

    /// Read at least once and nothing there.
    public var isEmpty: Bool { phase == .content && orders.isEmpty }

    /// The orders at `stage`, newest first.
    public func orders(at stage: OrderStage) -> [OrderSummary] {
        orders.filter { OrderStage($0.state) == stage }
    }

    public init() {}
}

/// The volunteer's or lawyer's orders (我的工单): the ones they hold with
/// their states, and the holder's actions — accept or decline (with a
/// reason) a dispatched one, start a grabbed one, resolve with a note.
/// Each action replaces the order in the list with the server's answer.
@MainActor
public final class MyOrdersViewModel {
    public let state = StateHolder<MyOrdersState>(MyOrdersState())
    /// The phone's client (an order's detail screen opens with it).
    public let client: LawCircleClient

    public init(client: LawCircleClient) { self.client = client }

    /// Reads the list again; offline, the last list stays with the reason.
    public func refresh() async {
        state.update { $0.phase = .loading }
        do {
            let orders = try await client.myOrders()
            state.update {
                $0.orders = orders.sorted { $0.createdAtMs > $1.createdAtMs }
                $0.phase = .content
            }
        } catch {
            let problem = UiError(error)
            state.update { $0.phase = problem.kind == .network ? .offline(problem) : .error(problem) }
        }
    }

    public func accept(orderId: String) async {
        await act(orderId, .accept) { try await $0.acceptOrder(orderId: orderId) }
    }

    /// Gives the order back; a blank reason is refused by the library
    /// (field `reason`) and nothing changes.
    public func decline(orderId: String, reason: String) async {
        await act(orderId, .decline) { try await $0.declineOrder(orderId: orderId, reason: reason) }
    }

    public func start(orderId: String) async {
        await act(orderId, .start) { try await $0.startOrder(orderId: orderId) }
    }

    public func resolve(orderId: String, note: String) async {
        await act(orderId, .resolve) { try await $0.resolveOrder(orderId: orderId, note: note) }
    }

    private func act(
        _ orderId: String, _ action: HolderAction,
        _ call: (LawCircleClient) async throws -> OrderSummary
    ) async {
        state.update { $0.action = .working(orderId: orderId, action) }
        do {
            let order = try await call(client)
            state.update {
                if action == .decline {
                    // Given back: no longer the user's.
                    $0.orders.removeAll { $0.id == order.id }
                } else if let at = $0.orders.firstIndex(where: { $0.id == order.id }) {
                    $0.orders[at] = order
                } else {
                    $0.orders.insert(order, at: 0)
                }
                $0.action = .done(order, action)
            }
        } catch {
            state.update { $0.action = .error(orderId: orderId, UiError(error)) }
        }
    }
}
