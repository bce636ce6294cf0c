import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The local fake of the SMS provider (tests/src/bin/fake-sms.rs, beside
/// seed-people): it checks each request's signing as the provider documents
/// it and keeps the messages, which the test reads to find a code.
final class FakeSms {
    static let codeTemplate = "SMS_100001"

    let url: String
    let serverArgs: [String]
    private let process: Process

    init() throws {
        let seed = try SeedBinary.path()
        let bin = URL(fileURLWithPath: seed).deletingLastPathComponent().appendingPathComponent("fake-sms")
        process = Process()
        process.executableURL = bin
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        var buffer = Data()
        while !buffer.contains(UInt8(ascii: "\n")) {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { throw TestServerError("fake-sms exited") }
            buffer.append(chunk)
        }
        let line = buffer.prefix { $0 != UInt8(ascii: "\n") }
        guard let o = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
            let url = o["url"] as? String, let args = o["server_args"] as? [String]
        else {
            throw TestServerError("fake-sms said something else")
        }
        self.url = url
        serverArgs = args
    }

    /// The parameters of the last message to `phone` with `template`,
    /// waiting up to 20 s.
    @MainActor
    func waitFor(_ phone: String, _ template: String) async throws -> [String: String] {
        let api = Api(baseURL: String(url.dropLast()), token: nil)
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let (_, body) = try await api.get("/messages")
            let found = (body as? [[String: Any]] ?? []).last {
                $0["phone"] as? String == phone && $0["template"] as? String == template
            }
            if let params = found?["params"] as? [String: String] { return params }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        throw TestServerError("no \(template) message to \(phone)")
    }

    /// SIGKILL: it keeps nothing, and a child spawned from a Swift
    /// concurrency thread inherits a mask that blocks SIGTERM (see
    /// TestServer).
    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}
