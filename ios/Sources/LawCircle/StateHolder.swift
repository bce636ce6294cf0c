import Foundation

/// A screen's state with change callbacks: what StateFlow is on Android,
/// without Combine or Observation (neither exists in Swift on Linux, where
/// the view models are tested). SwiftUI views adapt it with a small
/// ObservableObject (see Views.swift).
///
/// It lives on the main actor, like the view models that own it and the
/// views that read it: every change and every callback happens there, so
/// nothing needs a lock.
@MainActor
public final class StateHolder<State> {
    private var current: State
    private var observers: [UUID: (State) -> Void] = [:]

    public init(_ initial: State) { current = initial }

    /// The current state.
    public var value: State { current }

    /// Sets the state and tells every observer.
    func set(_ new: State) {
        current = new
        for callback in Array(observers.values) { callback(new) }
    }

    /// Changes the state in place, then tells every observer.
    func update(_ change: (inout State) -> Void) {
        change(&current)
        set(current)
    }

    /// Calls `callback` with the current state now and with every change;
    /// observing stops when the returned token is cancelled or released.
    public func observe(_ callback: @escaping (State) -> Void) -> ObservationToken {
        let id = UUID()
        observers[id] = callback
        callback(current)
        return ObservationToken { [weak self] in self?.observers[id] = nil }
    }
}

/// Stops an observation when cancelled or released. Releasing it off the
/// main actor (e.g. with a view torn down on another thread) stops the
/// observation on the main actor's next turn.
public final class ObservationToken: Sendable {
    private let onCancel: @MainActor @Sendable () -> Void

    init(_ onCancel: @escaping @MainActor @Sendable () -> Void) { self.onCancel = onCancel }

    /// Stops the observation; cancelling twice is harmless.
    @MainActor
    public func cancel() { onCancel() }

    deinit {
        let action = onCancel
        if Thread.isMainThread {
            MainActor.assumeIsolated { action() }
        } else {
            Task { @MainActor in action() }
        }
    }
}
