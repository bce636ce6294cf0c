// The outbox syncs by itself: when the network comes back (NWPathMonitor)
// and in the background (BGTaskScheduler, identifier in Info.plist's
// BGTaskSchedulerPermittedIdentifiers). The sync itself is the core's.
import BackgroundTasks
import LawCircleFFI
import Network

@MainActor
final class BackgroundSync {
    static let taskId = "org.lawcircle.app.sync"
    private let monitor = NWPathMonitor()
    private var client: LawCircleClient?

    /// Registers the background task; call once, before the app finishes
    /// launching.
    func register() {
        BGTaskScheduler.shared.register(forTaskWithIdentifier: Self.taskId, using: .main) { task in
            MainActor.assumeIsolated { self.run(task) }
        }
    }

    func start(client: LawCircleClient) {
        self.client = client
        monitor.pathUpdateHandler = { path in
            guard path.status == .satisfied else { return }
            Task { @MainActor in await self.syncNow() }
        }
        monitor.start(queue: .main)
        schedule()
    }

    func stop() {
        monitor.cancel()
        client = nil
    }

    private func syncNow() async {
        _ = try? await client?.sync(maxWaitMs: 0)
    }

    private func schedule() {
        let request = BGProcessingTaskRequest(identifier: Self.taskId)
        request.requiresNetworkConnectivity = true
        request.earliestBeginDate = Date(timeIntervalSinceNow: 15 * 60)
        try? BGTaskScheduler.shared.submit(request)
    }

    private func run(_ task: BGTask) {
        schedule()
        let work = Task { @MainActor in
            await self.syncNow()
            task.setTaskCompleted(success: true)
        }
        task.expirationHandler = { work.cancel() }
    }
}
