// CoreLocation adapter: passes fixes (always WGS-84 on iOS) to the view
// models. The geofence decision belongs to the core, on a fresh fix.
#if canImport(CoreLocation)
import CoreLocation
import LawCircleFFI

public final class LocationAdapter: NSObject, CLLocationManagerDelegate {
    private let manager = CLLocationManager()
    private let onFix: (Point, Double, Bool) -> Void

    /// `onFix(point, horizontalAccuracyMetres, isSimulated)`.
    public init(onFix: @escaping (Point, Double, Bool) -> Void) {
        self.onFix = onFix
        super.init()
        manager.delegate = self
        manager.desiredAccuracy = kCLLocationAccuracyBest
    }

    public func start() {
        manager.requestWhenInUseAuthorization()
        manager.startUpdatingLocation()
    }

    public func stop() { manager.stopUpdatingLocation() }

    public func locationManager(_ manager: CLLocationManager, didUpdateLocations locations: [CLLocation]) {
        guard let fix = locations.last, fix.horizontalAccuracy >= 0 else { return }
        var simulated = false
        if #available(iOS 15.0, macOS 12.0, *) {
            simulated = fix.sourceInformation?.isSimulatedBySoftware ?? false
        }
        onFix(Point(lat: fix.coordinate.latitude, lng: fix.coordinate.longitude, datum: .wgs84),
              fix.horizontalAccuracy, simulated)
    }
}
#endif
