import Foundation
import LawCircleFFI

/// What the "my outbox" (待发送) screen shows.
public struct OutboxScreenState: Equatable, Sendable {
    public enum Sync: Equatable, Sendable {
        case idle
        case syncing
        case done(SyncReport)
        /// Offline (`Network`) or refused: nothing is lost, entries stay.
        case failed(UiError)
    }

    /// In enqueue order: waiting, failed, refused and the delivered ones
    /// still kept.
    public var entries: [OutboxEntry] = []
    public var counts = OutboxCounts(notSent: 0, sending: 0, sent: 0, failed: 0, wedged: 0, pending: 0)
    public var sync: Sync = .idle
    /// A refused retry or discard, or an unreadable outbox.
    public var error: UiError?

    public init() {}
}

/// The outbox: entries and counts kept live through `watchOutbox`, retry and
/// discard, and the sync that delivers them. Mirrors Android's
/// OutboxPresenter.
@MainActor
public final class OutboxViewModel {
    public let state = StateHolder<OutboxScreenState>(OutboxScreenState())
    private let client: LawCircleClient
    private var handle: ListenerHandle?

    public init(client: LawCircleClient) { self.client = client }

    /// Reads the outbox and keeps reading it on every change; a second call
    /// does nothing but read it again.
    public func start() async {
        if handle == nil {
            handle = client.watchOutbox(
                listener: OutboxWatcher { [weak self] _ in
                    onMain { Task { await self?.reload() } }
                })
        }
        await reload()
    }

    /// Stops watching; no change arrives after it returns.
    public func stop() {
        handle?.cancel()
        handle = nil
    }

    /// Reads entries and counts again (from the phone's database, off the
    /// main actor).
    public func reload() async {
        do {
            let client = self.client
            let (entries, counts) = try await offMain { (try client.outboxEntries(), try client.outboxCounts()) }
            state.update {
                $0.entries = entries
                $0.counts = counts
            }
        } catch {
            state.update { $0.error = UiError(error) }
        }
    }

    /// Sends a failed or refused entry again at the next sync.
    public func retry(key: String) async {
        await act { try $0.retryOutboxEntry(key: key) }
    }

    /// Removes an entry the user gave up on.
    public func discard(key: String) async {
        await act { try $0.discardOutboxEntry(key: key) }
    }

    /// Delivers what is waiting, waiting up to `maxWaitMs` for failed entries
    /// to come due again. Cancelling the calling Task stops the sync (the
    /// entries in flight go back to the queue).
    public func sync(maxWaitMs: UInt32 = 30_000) async {
        state.update { $0.sync = .syncing }
        let client = self.client
        do {
            let report = try await withCancelToken { try await client.sync(maxWaitMs: maxWaitMs, cancel: $0) }
            state.update { $0.sync = .done(report) }
        } catch is CancellationError {
            state.update { $0.sync = .idle }
        } catch {
            state.update { $0.sync = .failed(UiError(error)) }
        }
        await reload()
    }

    private func act(_ action: @escaping @Sendable (LawCircleClient) throws -> Void) async {
        do {
            let client = self.client
            try await offMain { try action(client) }
            state.update { $0.error = nil }
        } catch {
            state.update { $0.error = UiError(error) }
        }
        await reload()
    }

    deinit { handle?.cancel() }
}

/// Called on a thread of the core's runtime (or the enqueuing caller's).
private final class OutboxWatcher: OutboxListener {
    private let onChangeCallback: @Sendable (OutboxChange) -> Void

    init(_ onChange: @escaping @Sendable (OutboxChange) -> Void) { onChangeCallback = onChange }

    func onChange(change: OutboxChange) { onChangeCallback(change) }
}
