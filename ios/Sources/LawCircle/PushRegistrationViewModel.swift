import Foundation
import LawCircleFFI

/// Where this phone's notifications go when the app is closed.
public struct PushRegistrationState: Equatable, Sendable {
    /// The server's VAPID public key (for a UnifiedPush distributor).
    public var serverKey: String?
    /// The registered device (to unregister it), once registered.
    public var deviceId: Int64?
    /// The endpoint or APNs device token (lowercase hex) registered.
    public var endpoint: String?
    public var busy = false
    public var error: UiError?

    public init() {}
}

/// Registers where the server may push this phone's notifications after
/// sign-in, again whenever it changes, and unregisters on sign-out or
/// when the user turns push off; a failed registration keeps the previous
/// device. Mirrors Android's PushRegistrationPresenter.
@MainActor
public final class PushRegistrationViewModel {
    public let state = StateHolder<PushRegistrationState>(PushRegistrationState())
    private let client: LawCircleClient

    public init(client: LawCircleClient) {
        self.client = client
    }

    public func loadServerKey() async {
        await call { s in
            s.serverKey = try await self.client.pushServerKey()
        }
    }

    /// A new push endpoint with the keys made for message encryption.
    public func onNewEndpoint(_ endpoint: String, p256dh: String, auth: String) async {
        await call { s in
            s.deviceId = try await self.client.registerPushEndpoint(endpoint: endpoint, p256dh: p256dh, auth: auth)
            s.endpoint = endpoint
        }
    }

    /// The APNs device token iOS gave (`didRegisterForRemoteNotifications
    /// WithDeviceToken`), as its bytes: registered as lowercase hex.
    public func onAPNsToken(_ token: Data) async {
        let hex = Self.hex(token)
        await call { s in
            s.deviceId = try await self.client.registerApnsToken(tokenHex: hex)
            s.endpoint = hex
        }
    }

    /// Bytes as lowercase hexadecimal, two digits a byte.
    public nonisolated static func hex(_ bytes: Data) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public func unregister() async {
        await call { s in
            if let id = s.deviceId {
                try await self.client.unregisterPushEndpoint(deviceId: id)
            }
            s.deviceId = nil
            s.endpoint = nil
        }
    }

    private func call(_ change: (inout PushRegistrationState) async throws -> Void) async {
        state.update {
            $0.busy = true; $0.error = nil
        }
        var next = state.value
        do {
            try await change(&next)
            next.busy = false
            next.error = nil
            state.update { $0 = next }
        } catch {
            state.update {
                $0.busy = false; $0.error = UiError(error)
            }
        }
    }
}
