// CoreLocation adapter: copies each CLLocation into a LocationFix (with
// `sourceInformation?.isSimulatedBySoftware` on iOS 15+ and both clocks)
// and hands it to the view models. The mapping to the core's GpsFix is
// LocationFix.gpsFix, tested on Linux; the geofence decision is the core's.
#if canImport(CoreLocation)
import CoreLocation
import Foundation
import LawCircleFFI

public final class LocationAdapter: NSObject, CLLocationManagerDelegate {
    private let manager = CLLocationManager()
    private let onLocation: (LocationFix) -> Void

    /// `onLocation` is called on the thread that made the adapter (the
    /// main thread, for CLLocationManager).
    public init(onLocation: @escaping (LocationFix) -> Void) {
        self.onLocation = onLocation
        super.init()
        manager.delegate = self
        manager.desiredAccuracy = kCLLocationAccuracyBest
    }

    /// Feeds the clock-in screen: each fix is checked live against the
    /// selected post, read with the device's two clocks.
    public convenience init(clockIn model: ClockInViewModel) {
        self.init { fix in model.onLocation(fix, at: .now()) }
    }

    public func start() {
        manager.requestWhenInUseAuthorization()
        manager.startUpdatingLocation()
    }

    public func stop() { manager.stopUpdatingLocation() }

    public func locationManager(_ manager: CLLocationManager, didUpdateLocations locations: [CLLocation]) {
        guard let location = locations.last else { return }
        onLocation(LocationAdapter.fix(location))
    }

    /// The CLLocation's fields as a LocationFix: the wall clock is the
    /// fix's timestamp, the monotonic clock (`systemUptime`) is now's minus
    /// the fix's age.
    public static func fix(_ location: CLLocation) -> LocationFix {
        // iOS 15+ (the package's minimum): a fix made up by software, e.g.
        // Xcode's simulated location or a jailbreak tweak.
        let simulated = location.sourceInformation?.isSimulatedBySoftware ?? false
        let age = max(0, Date().timeIntervalSince(location.timestamp))
        return LocationFix(latitude: location.coordinate.latitude, longitude: location.coordinate.longitude,
                           horizontalAccuracy: location.horizontalAccuracy, speed: location.speed,
                           timestamp: location.timestamp,
                           uptime: ProcessInfo.processInfo.systemUptime - age,
                           isSimulated: simulated)
    }
}
#endif
