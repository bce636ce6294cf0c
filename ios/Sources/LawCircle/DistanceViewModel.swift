import LawCircleFFI

/// A walk between two points, as the core measures it.
public enum DistanceState: Equatable, Sendable {
    /// One or both points are missing.
    case incomplete
    case measured(meters: Double, minutes: Int, withinCircle: Bool)
    case invalid(UiError)
}

/// "How far is it": the phone's GPS fix (WGS-84) against a point picked on a
/// Chinese map (GCJ-02/BD-09). The core converts datums, so a 300-600 m
/// offset never reaches the screen. Mirrors Android's DistancePresenter.
@MainActor
public final class DistanceViewModel {
    public let state = StateHolder<DistanceState>(.incomplete)
    private var from: Point?
    private var to: Point?

    public init() {}

    public func setFrom(lat: Double, lng: Double, datum: Datum = .wgs84) {
        from = Point(lat: lat, lng: lng, datum: datum)
        recompute()
    }

    public func setTo(lat: Double, lng: Double, datum: Datum) {
        to = Point(lat: lat, lng: lng, datum: datum)
        recompute()
    }

    private func recompute() {
        guard let a = from, let b = to else {
            state.set(.incomplete)
            return
        }
        do {
            let walk = try walkEstimate(a: a, b: b)
            state.set(.measured(meters: walk.distanceM, minutes: Int(walk.minutes), withinCircle: walk.withinCircle))
        } catch {
            state.set(.invalid(UiError(error)))
        }
    }
}
