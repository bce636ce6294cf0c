import Foundation

/// The real `lawcircle-server` binary on a free loopback port with its own
/// data folder, as the Rust end-to-end tests start it. The suite passes the
/// binary's path in LAWCIRCLE_SERVER_BIN.
final class TestServer {
    let baseURL: String
    let dataDir: URL
    private let process: Process

    init(_ args: [String]) throws {
        guard let bin = ProcessInfo.processInfo.environment["LAWCIRCLE_SERVER_BIN"] else {
            throw TestServerError("set LAWCIRCLE_SERVER_BIN to the lawcircle-server binary")
        }
        dataDir = FileManager.default.temporaryDirectory.appendingPathComponent("lawcircle-swift-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dataDir, withIntermediateDirectories: true)
        process = Process()
        process.executableURL = URL(fileURLWithPath: bin)
        process.arguments = ["serve", "--bind", "127.0.0.1:0", "--data-dir", dataDir.path] + args
        var env = ProcessInfo.processInfo.environment
        env["LAWCIRCLE_LOG"] = "warn"
        process.environment = env
        let pipe = Pipe()
        process.standardOutput = pipe
        // Swift concurrency's worker threads block SIGTERM, and a spawned
        // child inherits the mask: the server would never see stop()'s
        // SIGTERM. Unblock it around the spawn only.
        var unblock = sigset_t()
        var previous = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGTERM)
        sigaddset(&unblock, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &unblock, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        try process.run()
        var buffer = Data()
        let deadline = Date().addingTimeInterval(60)
        while true {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { throw TestServerError("the server exited before listening") }
            buffer.append(chunk)
            let text = String(decoding: buffer, as: UTF8.self)
            if let line = text.split(separator: "\n").first(where: { $0.contains("listening on") }) {
                baseURL = String(line.split(separator: " ").last ?? "")
                break
            }
            if Date() > deadline { throw TestServerError("the server did not start in time") }
        }
    }

    func url(_ path: String) -> String { baseURL + path }

    /// SIGTERM, up to 20 s for a graceful exit, then SIGKILL.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            while process.isRunning { Thread.sleep(forTimeInterval: 0.05) }
        }
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: dataDir)
    }
}

struct TestServerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
