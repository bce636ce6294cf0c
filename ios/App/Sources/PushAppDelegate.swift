// The UIKit side of APNs registration, for the app target (project.yml):
// not built here, UIKit and the APNs entitlement exist only with Apple's
// SDK. Everything beyond handing iOS's calls on is PushRegistrationViewModel,
// which the package builds and tests on Linux.
import LawCircle
import UIKit
import UserNotifications

/// Asks iOS for the device token after sign-in and hands it (and its
/// failures) to the view model, which registers it with the server.
@MainActor
final class PushAppDelegate: NSObject, UIApplicationDelegate {
    /// Set after sign-in; the token iOS gives goes to it.
    var push: PushRegistrationViewModel?

    /// After sign-in: ask the user (alerts, sounds, badges), then APNs.
    func enablePush(_ push: PushRegistrationViewModel) async {
        self.push = push
        let granted =
            (try? await UNUserNotificationCenter.current().requestAuthorization(options: [.alert, .sound, .badge]))
            ?? false
        if granted { UIApplication.shared.registerForRemoteNotifications() }
    }

    func application(
        _ application: UIApplication, didRegisterForRemoteNotificationsWithDeviceToken deviceToken: Data
    ) {
        guard let push else { return }
        Task { await push.onAPNsToken(deviceToken) }
    }

    func application(_ application: UIApplication, didFailToRegisterForRemoteNotificationsWithError error: Error) {
        // No token (simulator without APNs, no entitlement): the app is
        // still notified while open, by the live stream.
        NSLog("APNs registration failed: \(error.localizedDescription)")
    }
}
