// CoreLocation adapter: reports the authorization and accuracy the user
// gave (denied, restricted, approximate, precise) and copies each
// CLLocation into a LocationFix (with `sourceInformation?.isSimulatedBySoftware`
// and both clocks) for the view models. The mapping to the core's GpsFix is
// LocationFix.gpsFix and the access states are LocationAccess, both tested
// on Linux; the geofence decision is the core's. Compiled only where
// CoreLocation exists (Xcode), never on Linux.
#if canImport(CoreLocation)
    import CoreLocation
    import Foundation
    import LawCircleFFI

    @MainActor
    public final class LocationAdapter: NSObject, CLLocationManagerDelegate {
        /// The key under `NSLocationTemporaryUsageDescriptionDictionary` in
        /// Info.plist whose text explains why clock-in needs precise location.
        public static let clockInPurposeKey = "ClockIn"

        private let manager = CLLocationManager()
        private let onLocation: @MainActor (LocationFix) -> Void
        private let onAccess: @MainActor (LocationAccess) -> Void

        /// Made on the main thread: CoreLocation then calls the delegate there.
        public init(
            onLocation: @escaping @MainActor (LocationFix) -> Void,
            onAccess: @escaping @MainActor (LocationAccess) -> Void
        ) {
            self.onLocation = onLocation
            self.onAccess = onAccess
            super.init()
            manager.delegate = self
            manager.desiredAccuracy = kCLLocationAccuracyBest
        }

        /// Feeds the clock-in screen: each fix is checked live against the
        /// selected post, read with the device's two clocks.
        public convenience init(clockIn model: ClockInViewModel) {
            self.init(
                onLocation: { fix in model.onLocation(fix, at: .now()) },
                onAccess: { access in model.onAccess(access) })
        }

        /// Asks for permission when it was never asked, then starts updates
        /// (CoreLocation sends none while it is denied or restricted).
        public func start() {
            if manager.authorizationStatus == .notDetermined {
                manager.requestWhenInUseAuthorization()
            }
            onAccess(Self.access(manager))
            manager.startUpdatingLocation()
        }

        public func stop() { manager.stopUpdatingLocation() }

        /// Clock-in needs a precise fix: when the user shared only an
        /// approximate location, asks once for precise location for this
        /// session. True when the location is now precise.
        public func requestPreciseForClockIn() async -> Bool {
            guard manager.accuracyAuthorization == .reducedAccuracy else {
                return manager.authorizationStatus == .authorizedWhenInUse
                    || manager.authorizationStatus == .authorizedAlways
            }
            do {
                try await manager.requestTemporaryFullAccuracyAuthorization(withPurposeKey: Self.clockInPurposeKey)
            } catch {
                return false
            }
            onAccess(Self.access(manager))
            return manager.accuracyAuthorization == .fullAccuracy
        }

        nonisolated public func locationManagerDidChangeAuthorization(_ manager: CLLocationManager) {
            MainActor.assumeIsolated { onAccess(Self.access(manager)) }
        }

        nonisolated public func locationManager(
            _ manager: CLLocationManager, didUpdateLocations locations: [CLLocation]
        ) {
            guard let location = locations.last else { return }
            let fix = Self.fix(location)
            MainActor.assumeIsolated { onLocation(fix) }
        }

        /// The user's answer as the screens see it.
        public static func access(_ manager: CLLocationManager) -> LocationAccess {
            switch manager.authorizationStatus {
            case .notDetermined: return .notDetermined
            case .denied: return .denied
            case .restricted: return .restricted
            default: return manager.accuracyAuthorization == .fullAccuracy ? .precise : .approximate
            }
        }

        /// The CLLocation's fields as a LocationFix: the wall clock is the
        /// fix's timestamp; the monotonic clock, which keeps counting while
        /// the phone sleeps, is now's minus the fix's age.
        nonisolated public static func fix(_ location: CLLocation) -> LocationFix {
            // A fix made up by software, e.g. Xcode's simulated location or a
            // jailbreak tweak (iOS 15+, the package's minimum).
            let simulated = location.sourceInformation?.isSimulatedBySoftware ?? false
            let age = max(0, Date().timeIntervalSince(location.timestamp))
            return LocationFix(
                latitude: location.coordinate.latitude, longitude: location.coordinate.longitude,
                horizontalAccuracy: location.horizontalAccuracy, speed: location.speed,
                timestamp: location.timestamp,
                uptime: MonotonicClock.seconds() - age,
                isSimulated: simulated)
        }
    }
#endif
