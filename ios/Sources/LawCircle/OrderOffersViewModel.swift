import Foundation
import LawCircleFFI

/// What the order-offers (抢单) screen shows.
public struct OrderOffersState: Equatable, Sendable {
    public enum Connection: Equatable, Sendable {
        case idle
        case connecting
        /// The event stream is up: offers arrive as they happen.
        case live
        /// Dropped (offline); it reconnects by itself.
        case disconnected(reason: String)
    }

    public enum Action: Equatable, Sendable {
        case none
        case working(orderId: String)
        /// The order as the server has it after the last action.
        case done(OrderSummary)
        /// Another volunteer grabbed it first (the library's `Conflict`).
        case takenBySomeoneElse(orderId: String)
        case error(UiError)
    }

    /// The consultations offered now, at the volunteer's position.
    public var offers: [OrderSummary] = []
    /// Orders staff dispatched to the user, newest last.
    public var assigned: [OrderSummary] = []
    public var connection: Connection = .idle
    public var action: Action = .none
    /// The requester's contact of an order the user holds, once read
    /// (audited on the server with the reason given).
    public var contact: RequesterContact?

    public init() {}
}

/// Offers live through `watchOrders`, grabbing one (a `Conflict` shown as "taken
/// by someone else"), accepting or declining a dispatched one, starting and
/// resolving it. Mirrors Android's OrderOffersPresenter.
@MainActor
public final class OrderOffersViewModel {
    public let state = StateHolder<OrderOffersState>(OrderOffersState())
    private let client: LawCircleClient
    private var position: Point
    private var handle: ListenerHandle?

    public init(client: LawCircleClient, position: Point) {
        self.client = client
        self.position = position
    }

    /// Listens for offers at the position; a second call does nothing.
    public func start() {
        guard handle == nil else { return }
        state.update { $0.connection = .connecting }
        do {
            handle = try client.watchOrders(position: position, listener: OrderWatcher(state: state))
        } catch {
            state.update { $0.connection = .disconnected(reason: UiError(error).detail) }
        }
    }

    /// Stops listening.
    public func stop() {
        handle?.cancel()
        handle = nil
        state.update { $0.connection = .idle }
    }

    /// Moves the volunteer: listens again at the new position.
    public func move(to position: Point) {
        self.position = position
        if handle != nil {
            stop()
            start()
        }
    }

    /// Asks once for the offers (pull-to-refresh, or without the stream).
    public func refresh() async {
        do {
            let offers = try await client.orderOffers(position: currentPosition())
            state.update { $0.offers = offers }
        } catch {
            state.update { $0.action = .error(UiError(error)) }
        }
    }

    /// Grabs an offered consultation: the first eligible volunteer wins.
    public func grab(orderId: String) async {
        let position = currentPosition()
        await act(orderId, conflictMeansTaken: true) {
            try await $0.grabOrder(orderId: orderId, position: position)
        }
    }

    /// Takes a dispatched order.
    public func accept(orderId: String) async {
        await act(orderId) { try await $0.acceptOrder(orderId: orderId) }
    }

    /// Gives a dispatched order back, saying why.
    public func decline(orderId: String, reason: String) async {
        await act(orderId) { try await $0.declineOrder(orderId: orderId, reason: reason) }
    }

    public func startWork(orderId: String) async {
        await act(orderId) { try await $0.startOrder(orderId: orderId) }
    }

    public func resolve(orderId: String, note: String) async {
        await act(orderId) { try await $0.resolveOrder(orderId: orderId, note: note) }
    }

    /// Reads the requester's contact of an order the user holds, saying
    /// why (the server audits it); a refusal or a blank reason is an error.
    public func readContact(orderId: String, reason: String) async {
        do {
            let contact = try await client.requesterContact(orderId: orderId, reason: reason)
            state.update { $0.contact = contact }
        } catch {
            state.update { $0.action = .error(UiError(error)) }
        }
    }

    private func currentPosition() -> Point { position }

    /// Runs one order action. A `Conflict` on a grab means another volunteer was
    /// first; on any other action, that the order changed meanwhile (shown
    /// as the server's error).
    private func act(
        _ orderId: String, conflictMeansTaken: Bool = false,
        _ call: (LawCircleClient) async throws -> OrderSummary
    ) async {
        state.update { $0.action = .working(orderId: orderId) }
        do {
            let order = try await call(client)
            state.update {
                $0.action = .done(order)
                $0.offers.removeAll { $0.id == order.id && order.state != .open }
            }
        } catch LawCircleError.Conflict where conflictMeansTaken {
            state.update {
                $0.action = .takenBySomeoneElse(orderId: orderId)
                $0.offers.removeAll { $0.id == orderId }
            }
        } catch {
            state.update { $0.action = .error(UiError(error)) }
        }
    }

    deinit { handle?.cancel() }
}

/// Called on a thread of the core's runtime.
/// Called on a thread of the core's runtime; hands each event to the main
/// actor.
private final class OrderWatcher: OrderListener {
    private let state: StateHolder<OrderOffersState>

    init(state: StateHolder<OrderOffersState>) { self.state = state }

    func onOffers(offers: [OrderSummary]) {
        let state = self.state
        onMain {
            state.update {
                $0.offers = offers
                $0.connection = .live
            }
        }
    }

    func onAssigned(order: OrderSummary) {
        let state = self.state
        onMain {
            state.update {
                $0.assigned.removeAll { $0.id == order.id }
                $0.assigned.append(order)
            }
        }
    }

    func onDisconnected(reason: String) {
        let state = self.state
        onMain { state.update { $0.connection = .disconnected(reason: reason) } }
    }
}
