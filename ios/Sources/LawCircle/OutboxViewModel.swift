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
public final class OutboxViewModel: @unchecked Sendable {
    public let state = StateHolder<OutboxScreenState>(OutboxScreenState())
    private let client: LawCircleClient
    private let lock = NSLock()
    private var handle: ListenerHandle?

    public init(client: LawCircleClient) { self.client = client }

    /// Reads the outbox and keeps reading it on every change; a second call
    /// does nothing.
    public func start() {
        lock.lock()
        if handle == nil {
            handle = client.watchOutbox(listener: OutboxWatcher { [weak self] _ in self?.reload() })
        }
        lock.unlock()
        reload()
    }

    /// Stops watching; no change arrives after it returns.
    public func stop() {
        lock.lock(); defer { lock.unlock() }
        handle?.cancel()
        handle = nil
    }

    /// Reads entries and counts again.
    public func reload() {
        do {
            let entries = try client.outboxEntries()
            let counts = try client.outboxCounts()
            state.update {
                $0.entries = entries
                $0.counts = counts
            }
        } catch {
            state.update { $0.error = UiError(error) }
        }
    }

    /// Sends a failed or refused entry again at the next sync.
    public func retry(key: String) { act { try self.client.retryOutboxEntry(key: key) } }

    /// Removes an entry the user gave up on.
    public func discard(key: String) { act { try self.client.discardOutboxEntry(key: key) } }

    /// Delivers what is waiting, waiting up to `maxWaitMs` for failed entries
    /// to come due again.
    public func sync(maxWaitMs: UInt32 = 30_000) async {
        state.update { $0.sync = .syncing }
        do {
            let report = try await client.sync(maxWaitMs: maxWaitMs)
            state.update { $0.sync = .done(report) }
        } catch {
            state.update { $0.sync = .failed(UiError(error)) }
        }
        reload()
    }

    private func act(_ action: () throws -> Void) {
        do {
            try action()
            state.update { $0.error = nil }
        } catch {
            state.update { $0.error = UiError(error) }
        }
        reload()
    }

    deinit { handle?.cancel() }
}

/// Called on a thread of the core's runtime (or the enqueuing caller's).
private final class OutboxWatcher: OutboxListener, @unchecked Sendable {
    private let onChangeCallback: (OutboxChange) -> Void

    init(_ onChange: @escaping (OutboxChange) -> Void) { onChangeCallback = onChange }

    func onChange(change: OutboxChange) { onChangeCallback(change) }
}
