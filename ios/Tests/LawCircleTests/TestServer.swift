import Foundation

/// The real `lawcircle-server` binary on a free loopback port with its own
/// data folder, as the Rust end-to-end tests start it. The suite passes the
/// binary's path in LAWCIRCLE_SERVER_BIN.
final class TestServer {
    let baseURL: String
    let dataDir: URL
    private let args: [String]
    private let process: Process
    /// Whether this instance removes the data folder when released (a
    /// restarted server takes it over).
    private var ownsDataDir = true

    /// Starts a server on a free port with a new data folder, or on `bind`
    /// (`127.0.0.1:PORT`) with `dataDir` to come back where a stopped one
    /// was.
    init(_ args: [String], bind: String = "127.0.0.1:0", dataDir: URL? = nil) throws {
        guard let bin = ProcessInfo.processInfo.environment["LAWCIRCLE_SERVER_BIN"] else {
            throw TestServerError("set LAWCIRCLE_SERVER_BIN to the lawcircle-server binary")
        }
        self.args = args
        self.dataDir =
            dataDir
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("lawcircle-swift-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: self.dataDir, withIntermediateDirectories: true)
        process = Process()
        process.executableURL = URL(fileURLWithPath: bin)
        process.arguments = ["serve", "--bind", bind, "--data-dir", self.dataDir.path] + args
        var env = ProcessInfo.processInfo.environment
        env["LAWCIRCLE_LOG"] = "warn"
        // The demo catalogue only: the flows make their own people.
        env["LAWCIRCLE_DEMO_PEOPLE"] = "false"
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

    /// `127.0.0.1:PORT`.
    var address: String { String(baseURL.dropFirst("http://".count)) }

    /// Stops this server and starts it again on the same address and data
    /// folder (phones keep their server URL), with the same arguments.
    func restarted() throws -> TestServer {
        stop()
        let again = try TestServer(args, bind: address, dataDir: dataDir)
        ownsDataDir = false
        return again
    }

    /// Makes the flows' people with the binary named by LAWCIRCLE_SEED_BIN
    /// (`seed-people`, the Rust flows' fixture) and reads what it prints.
    func seedPeople() throws -> People {
        let run = Process()
        run.executableURL = URL(fileURLWithPath: try SeedBinary.path())
        run.arguments = ["--url", baseURL, "--data-dir", dataDir.path]
        var env = ProcessInfo.processInfo.environment
        env["LAWCIRCLE_LOG"] = "warn"
        run.environment = env
        let out = Pipe()
        run.standardOutput = out
        try run.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        run.waitUntilExit()
        guard run.terminationStatus == 0 else {
            throw TestServerError("seed-people exited with \(run.terminationStatus)")
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(People.self, from: data)
    }

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
        if ownsDataDir { try? FileManager.default.removeItem(at: dataDir) }
    }
}

/// What `seed-people` made (see tests/src/people.rs).
struct People: Decodable {
    struct Login: Decodable {
        let username: String
        let password: String
        let id: Int64
    }

    let admin: Login
    let staff: Login
    let resident: Login
    let volunteer: Login
    let streetCode: String
    let villageCode: String
    let postId: String
    let postLat: Double
    let postLng: Double
}

/// The `seed-people` binary (it finds `lawcircle-server` beside itself, or
/// through LAWCIRCLE_SERVER_BIN, which the suite sets).
enum SeedBinary {
    static func path() throws -> String {
        guard let seed = ProcessInfo.processInfo.environment["LAWCIRCLE_SEED_BIN"] else {
            throw TestServerError("set LAWCIRCLE_SEED_BIN to the seed-people binary")
        }
        return seed
    }
}

struct TestServerError: Error, CustomStringConvertible, Sendable {
    let description: String
    init(_ description: String) { self.description = description }
}
