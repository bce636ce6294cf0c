import Foundation

/// A screen's state with change callbacks: what StateFlow is on Android,
/// without Combine or Observation (neither exists in Swift on Linux, where
/// the view models are tested). SwiftUI views adapt it with a small
/// ObservableObject (see Views.swift).
public final class StateHolder<State>: @unchecked Sendable {
    private let lock = NSLock()
    private var current: State
    private var observers: [UUID: (State) -> Void] = [:]

    public init(_ initial: State) { current = initial }

    /// The current state; safe to read from any thread.
    public var value: State {
        lock.lock(); defer { lock.unlock() }
        return current
    }

    /// Sets the state and tells every observer, on the calling thread.
    func set(_ new: State) {
        lock.lock()
        current = new
        let callbacks = Array(observers.values)
        lock.unlock()
        for callback in callbacks { callback(new) }
    }

    /// Changes the state in place (read and write under the lock, so two
    /// intents never lose each other's change), then tells every observer
    /// on the calling thread.
    func update(_ change: (inout State) -> Void) {
        lock.lock()
        change(&current)
        let new = current
        let callbacks = Array(observers.values)
        lock.unlock()
        for callback in callbacks { callback(new) }
    }

    /// Calls `callback` with the current state now and with every change;
    /// observing stops when the returned token is cancelled or released.
    public func observe(_ callback: @escaping (State) -> Void) -> ObservationToken {
        let id = UUID()
        lock.lock()
        observers[id] = callback
        let now = current
        lock.unlock()
        callback(now)
        return ObservationToken { [weak self] in
            guard let self else { return }
            self.lock.lock()
            self.observers[id] = nil
            self.lock.unlock()
        }
    }
}

/// Stops an observation when cancelled or released.
public final class ObservationToken: @unchecked Sendable {
    private var onCancel: (() -> Void)?
    private let lock = NSLock()

    init(_ onCancel: @escaping () -> Void) { self.onCancel = onCancel }

    public func cancel() {
        lock.lock()
        let action = onCancel
        onCancel = nil
        lock.unlock()
        action?()
    }

    deinit { cancel() }
}
