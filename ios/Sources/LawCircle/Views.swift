// SwiftUI screens: thin renderings of the view models, built only where
// SwiftUI exists (Xcode), never on Linux.
#if canImport(SwiftUI)
import SwiftUI
import LawCircleFFI

/// Bridges a StateHolder to SwiftUI on the main thread.
@MainActor
public final class Observed<State>: ObservableObject {
    @Published public private(set) var value: State
    private var token: ObservationToken?

    public init(_ holder: StateHolder<State>) {
        value = holder.value
        token = holder.observe { [weak self] new in
            DispatchQueue.main.async { self?.value = new }
        }
    }
}

public struct ConnectivityBanner: View {
    @StateObject private var state: Observed<ConnectivityState>

    public init(model: ConnectivityViewModel) {
        _state = StateObject(wrappedValue: Observed(model.state))
    }

    public var body: some View {
        switch state.value {
        case .unknown, .online:
            EmptyView()
        case let .offline(reason):
            Text("离线 Offline: \(reason)").font(.footnote).padding(8)
        }
    }
}

public struct DistanceView: View {
    private let model: DistanceViewModel
    @StateObject private var state: Observed<DistanceState>

    public init(model: DistanceViewModel) {
        self.model = model
        _state = StateObject(wrappedValue: Observed(model.state))
    }

    public var body: some View {
        switch state.value {
        case .incomplete:
            Text("Pick a place on the map")
        case let .measured(meters, minutes, within):
            VStack {
                Text("\(Int(meters.rounded())) m · \(minutes) min on foot")
                Text(within ? "Within the 15-minute circle" : "Beyond the 15-minute walk")
            }
        case let .invalid(error):
            Text(error.message).foregroundColor(.red)
        }
    }
}
#endif
