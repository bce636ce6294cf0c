import Foundation
import LawCircleFFI

/// A location fix as CoreLocation reports it, before it reaches the core:
/// plain values, so the mapping is tested on Linux and the adapter only
/// copies fields out of a `CLLocation`.
public struct LocationFix: Equatable, Sendable {
    public var latitude: Double
    public var longitude: Double
    /// `CLLocation.horizontalAccuracy` in metres; negative: no valid fix.
    public var horizontalAccuracy: Double
    /// `CLLocation.speed` in m/s; negative: unknown.
    public var speed: Double
    /// `CLLocation.timestamp`: the wall clock when the fix was taken.
    public var timestamp: Date
    /// The monotonic clock ([`MonotonicClock`], seconds, counting through
    /// sleep) when the fix was taken.
    public var uptime: TimeInterval
    /// `CLLocation.sourceInformation?.isSimulatedBySoftware` (iOS 15+).
    public var isSimulated: Bool

    public init(
        latitude: Double, longitude: Double, horizontalAccuracy: Double, speed: Double = -1,
        timestamp: Date, uptime: TimeInterval, isSimulated: Bool
    ) {
        self.latitude = latitude
        self.longitude = longitude
        self.horizontalAccuracy = horizontalAccuracy
        self.speed = speed
        self.timestamp = timestamp
        self.uptime = uptime
        self.isSimulated = isSimulated
    }

    /// Where the fix is, for the nearest search and the order offers.
    public var point: Point { Point(lat: latitude, lng: longitude, datum: .wgs84) }

    /// The fix as the core takes it, or nil when CoreLocation marks it
    /// invalid. iOS reports WGS-84 and fuses GPS, Wi-Fi and cell, so the
    /// source is `.fused`; judging the fix is the core's job.
    public var gpsFix: GpsFix? {
        guard horizontalAccuracy >= 0, uptime >= 0 else { return nil }
        return GpsFix(
            lat: latitude, lng: longitude, datum: .wgs84, accuracyM: horizontalAccuracy,
            source: .fused, isMock: isSimulated,
            wallTimeMs: Int64((timestamp.timeIntervalSince1970 * 1000).rounded()),
            elapsedMs: UInt64((uptime * 1000).rounded()),
            speedMps: speed >= 0 ? speed : nil)
    }
}

extension DeviceTime {
    /// The device's two clocks read together: wall and monotonic
    /// ([`MonotonicClock`]).
    public static func now() -> DeviceTime {
        DeviceTime(
            wallMs: Int64((Date().timeIntervalSince1970 * 1000).rounded()),
            elapsedMs: UInt64((MonotonicClock.seconds() * 1000).rounded()))
    }
}

/// What the app may know of where the phone is, as CoreLocation's
/// authorization and accuracy say it, in the terms a screen needs.
public enum LocationAccess: Equatable, Sendable {
    /// Not asked yet: asking is the next step.
    case notDetermined
    /// The user said no; only Settings can change it.
    case denied
    /// Parental controls or device management forbid it; the user cannot
    /// change it.
    case restricted
    /// Allowed, but only approximately: a fence of a few hundred metres
    /// cannot be judged, so clock-in asks for precise location once.
    case approximate
    /// Allowed and precise.
    case precise

    /// What the screen says, in words, or nil when the clock-in can go
    /// ahead.
    public func explanation(_ strings: Strings = Strings(.chinese)) -> String? {
        switch self {
        case .notDetermined:
            return strings(.accessNotDetermined)
        case .denied:
            return strings(.accessDenied)
        case .restricted:
            return strings(.accessRestricted)
        case .approximate:
            return strings(.accessApproximate)
        case .precise:
            return nil
        }
    }
}

/// What the clock-in screen shows.
public struct ClockInState: Equatable, Sendable {
    public enum Posts: Equatable, Sendable {
        case loading
        /// Nearest first when a position is known.
        case content([DutyPostInfo])
        case error(UiError)
    }

    public enum Outcome: Equatable, Sendable {
        case none
        case punching
        /// Recorded and queued for delivery (also when outside: flagged
        /// for staff, never dropped).
        case punched(PunchKind, PunchReceipt)
        case error(UiError)
    }

    public var posts: Posts = .loading
    public var selectedPostId: String?
    /// The core's decision for the latest fix at the selected post, before
    /// any punch: the live "inside / outside" state.
    public var live: ClockInCheck?
    /// A refused fix or check.
    public var liveError: UiError?
    public var outcome: Outcome = .none
    /// Whether the phone may be located, and precisely.
    public var access: LocationAccess = .notDetermined

    public init() {}
}

/// Clock in and out at a duty post (签到/签退): the posts near the position,
/// the live fence check as fixes arrive, the punch and its outcome. The
/// decision is the core's; mirrors Android's ClockInPresenter.
@MainActor
public final class ClockInViewModel {
    public let state = StateHolder<ClockInState>(ClockInState())
    private let client: LawCircleClient
    private var fix: GpsFix?

    public init(client: LawCircleClient) { self.client = client }

    /// Online: signs in (the phone must know who punches) and refreshes the
    /// duty posts; offline, lists the phone's copy. Then lists the posts.
    public func refresh(near position: Point?) async {
        update { $0.posts = .loading }
        do {
            _ = try await client.signIn()
            _ = try await client.refreshCatalogue()
        } catch LawCircleError.Network {
            // Offline: the phone's copy of the posts is what there is.
        } catch {
            update { $0.posts = .error(UiError(error)) }
            return
        }
        loadPosts(near: position)
    }

    /// The posts on the phone, nearest first when `position` is given; the
    /// nearest is selected unless one already is.
    public func loadPosts(near position: Point?) {
        do {
            let posts = try client.dutyPosts(near: position)
            update {
                $0.posts = .content(posts)
                let selected = $0.selectedPostId
                if selected == nil || !posts.contains(where: { p in p.id == selected }) {
                    $0.selectedPostId = posts.first?.id
                }
            }
        } catch {
            update { $0.posts = .error(UiError(error)) }
        }
        recheck(at: .now())
    }

    public func select(postId: String) {
        update {
            $0.selectedPostId = postId
            $0.outcome = .none
        }
        recheck(at: .now())
    }

    /// A fix from CoreLocation (see `LocationAdapter`); an invalid one is
    /// ignored, as CoreLocation means it.
    public func onLocation(_ location: LocationFix, at now: DeviceTime = .now()) {
        guard let fix = location.gpsFix else { return }
        onFix(fix, at: now)
    }

    /// CoreLocation's authorization or accuracy changed (see
    /// `LocationAdapter`).
    public func onAccess(_ access: LocationAccess) {
        update { $0.access = access }
    }

    /// A fix as the core takes it: re-checks the selected post live.
    public func onFix(_ fix: GpsFix, at now: DeviceTime = .now()) {
        self.fix = fix
        recheck(at: now)
    }

    /// Clocks in or out at the selected post with the latest fix; `at` is
    /// when the volunteer tapped. The punch (a write to the phone's outbox
    /// and, online, a request) runs off the main actor.
    public func clockIn(_ kind: PunchKind, at now: DeviceTime = .now()) async {
        let fix = self.fix
        let postId = state.value.selectedPostId ?? ""
        update { $0.outcome = .punching }
        do {
            let client = self.client
            let receipt = try await client.clockIn(postId: postId, kind: kind, fix: fix, at: now)
            update { $0.outcome = .punched(kind, receipt) }
        } catch {
            update { $0.outcome = .error(UiError(error)) }
        }
    }

    private func recheck(at now: DeviceTime) {
        guard let postId = state.value.selectedPostId, fix != nil else {
            update {
                $0.live = nil; $0.liveError = nil
            }
            return
        }
        do {
            let check = try client.checkClockIn(postId: postId, fix: fix, at: now)
            update {
                $0.live = check; $0.liveError = nil
            }
        } catch {
            update {
                $0.live = nil; $0.liveError = UiError(error)
            }
        }
    }

    private func update(_ change: (inout ClockInState) -> Void) { state.update(change) }
}
