// The UIKit side of APNs registration: a thin adapter for the iOS app
// target in Xcode. It is NOT part of the Swift package (Package.swift
// compiles Sources/ only) and is not built or tested here: UIKit and the
// APNs entitlement exist only with Apple's SDK. Everything it does beyond
// handing iOS's calls on is in PushRegistrationViewModel, which the
// package builds and tests on Linux.
#if canImport(UIKit)
import UIKit
import LawCircle

/// Asks iOS for the device token after sign-in and hands it (and its
/// failures) to the view model, which registers it with the server.
final class PushAppDelegate: NSObject, UIApplicationDelegate {
    /// Set after sign-in; the token iOS gives goes to it.
    var push: PushRegistrationViewModel?

    /// After sign-in: ask the user (alerts, sounds, badges), then APNs.
    func enablePush(_ push: PushRegistrationViewModel) {
        self.push = push
        UNUserNotificationCenter.current().requestAuthorization(options: [.alert, .sound, .badge]) { granted, _ in
            guard granted else { return }
            DispatchQueue.main.async { UIApplication.shared.registerForRemoteNotifications() }
        }
    }

    func application(_ application: UIApplication,
                     didRegisterForRemoteNotificationsWithDeviceToken deviceToken: Data) {
        guard let push else { return }
        Task { await push.onAPNsToken(deviceToken) }
    }

    func application(_ application: UIApplication,
                     didFailToRegisterForRemoteNotificationsWithError error: Error) {
        // No token (simulator without APNs, no entitlement): the app is
        // still notified while open, by the live stream.
        NSLog("APNs registration failed: \(error.localizedDescription)")
    }
}
#endif
