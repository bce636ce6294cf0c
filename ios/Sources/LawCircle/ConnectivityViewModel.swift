import Foundation
import LawCircleFFI

/// Whether the platform is reachable: the banner every screen shows.
public enum ConnectivityState: Equatable, Sendable {
    case unknown
    case online(catalogueVersion: UInt64)
    case offline(reason: String)
}

/// Watches the platform through the core's connectivity listener. The
/// listener runs on a thread of the core's runtime and hands each change to
/// the main actor. Mirrors Android's ConnectivityPresenter.
@MainActor
public final class ConnectivityViewModel {
    public let state = StateHolder<ConnectivityState>(.unknown)
    private let client: LawCircleClient
    private let intervalMs: UInt32
    private var handle: ListenerHandle?

    public init(client: LawCircleClient, intervalMs: UInt32 = 5_000) {
        self.client = client
        self.intervalMs = intervalMs
    }

    /// Starts watching; a second call does nothing.
    public func start() {
        guard handle == nil else { return }
        do {
            handle = try client.watchConnectivity(listener: Listener(state: state), intervalMs: intervalMs)
        } catch {
            state.set(.offline(reason: UiError(error).detail))
        }
    }

    /// Stops watching; no state change arrives after it returns.
    public func stop() {
        handle?.cancel()
        handle = nil
    }

    /// Asks the server once, e.g. on pull-to-refresh.
    public func refresh() async {
        do {
            let health = try await client.serverHealth()
            state.set(.online(catalogueVersion: health.catalogueVersion))
        } catch {
            state.set(.offline(reason: UiError(error).detail))
        }
    }

    deinit { handle?.cancel() }
}

/// Called on a thread of the core's runtime.
private final class Listener: ConnectivityListener {
    private let state: StateHolder<ConnectivityState>

    init(state: StateHolder<ConnectivityState>) { self.state = state }

    func onChange(connectivity: Connectivity) {
        let state = self.state
        onMain {
            switch connectivity {
            case let .online(version):
                state.set(.online(catalogueVersion: version))
            case let .offline(reason):
                state.set(.offline(reason: reason))
            }
        }
    }
}
