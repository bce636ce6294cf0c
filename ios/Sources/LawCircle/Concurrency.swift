import Foundation
import LawCircleFFI

/// Runs blocking library work (SQLite reads and writes of the outbox, photo
/// hashing, reading a network file, a punch) on the cooperative thread pool
/// instead of the main actor, and awaits its result: the screen stays
/// responsive while the core works.
func offMain<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await Task.detached(priority: .userInitiated, operation: work).value
}

/// Runs a library call that takes a `CancelToken`, cancelling the token when
/// the surrounding Task is cancelled: the generated bindings keep awaiting
/// the Rust future when a Task is cancelled, so without the token the work
/// (a sync can go on for minutes) would run on. A cancelled call throws
/// `CancellationError`.
public func withCancelToken<T: Sendable>(_ call: @Sendable (CancelToken) async throws -> T) async throws -> T {
    let token = CancelToken()
    do {
        return try await withTaskCancellationHandler {
            try await call(token)
        } onCancel: {
            token.cancel()
        }
    } catch LawCircleError.Cancelled {
        throw CancellationError()
    }
}

/// Hands a callback of the core (made on one of its runtime's threads) to
/// the main actor, where the view models and their state live.
func onMain(_ work: @escaping @MainActor @Sendable () -> Void) {
    Task { @MainActor in work() }
}

/// A monotonic clock that keeps counting while the phone sleeps. The
/// core's clock-in compares a fix's age and the tap's time on it; iOS's
/// `ProcessInfo.systemUptime` stops during sleep, so a fix taken before
/// the phone slept would look fresh after it woke.
public enum MonotonicClock {
    /// Seconds since an arbitrary point (boot), sleep included:
    /// `CLOCK_MONOTONIC` on Darwin (which counts through sleep there),
    /// `CLOCK_BOOTTIME` on Linux (where `CLOCK_MONOTONIC` does not).
    public static func seconds() -> TimeInterval {
        #if canImport(Darwin)
            return TimeInterval(clock_gettime_nsec_np(CLOCK_MONOTONIC)) / 1_000_000_000
        #else
            var now = timespec()
            clock_gettime(CLOCK_BOOTTIME, &now)
            return TimeInterval(now.tv_sec) + TimeInterval(now.tv_nsec) / 1_000_000_000
        #endif
    }
}
