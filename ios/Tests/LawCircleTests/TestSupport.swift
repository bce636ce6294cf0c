import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
import LawCircle
import LawCircleFFI

/// A fresh folder for one test's phones.
func tempDir() -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("lawcircle-phone-\(UUID().uuidString)")
}

/// A phone signed in as `who`, with its own database under `dir`.
func phone(_ serverURL: String, _ dir: URL, _ who: String, _ password: String) throws -> LawCircleClient {
    try LawCircleClient.open(
        config: ClientConfig(
            databasePath: dir.appendingPathComponent("\(who)/lawcircle.sqlite").path,
            serverUrl: serverURL,
            credentials: Credentials(userId: who, secret: password)),
        transport: URLSessionTransport())
}

/// Waits until `holder` reaches a state `matching` accepts; nil on timeout.
@MainActor
func waitFor<S>(
    _ holder: StateHolder<S>, timeout: TimeInterval = 30,
    _ matching: (S) -> Bool
) async throws -> S? {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        let now = holder.value
        if matching(now) { return now }
        try await Task.sleep(nanoseconds: 20_000_000)
    }
    return nil
}

/// The phone's monotonic clock in seconds ("since boot"), offset so an hour
/// ago is never before boot.
func uptime() -> TimeInterval { MonotonicClock.seconds() + 10_000 }

/// A filled-in need form (illustrative data, never logged).
func needForm(category: NeedCategory, areaCode: String) -> NeedForm {
    var form = NeedForm.blank(channel: .online, areaCode: areaCode)
    form.requesterName = "李四"
    form.requesterPhone = "13812345678"
    form.category = category
    form.description = "邻居装修噪音纠纷，希望咨询如何处理"
    form.address = "永中街道示例社区"
    form.consentGiven = true
    return form
}

/// A 1×1 PNG's first bytes: enough for the core to recognise a PNG.
let tinyPNG = Data([
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0, 0, 0, 0x01, 0, 0, 0, 0x01, 0x08, 0x06, 0, 0, 0, 0x1F, 0x15, 0xC4, 0x89,
])

/// The platform's HTTP API called directly with URLSession, as a staff
/// member's browser would (to see what the server decided).
@MainActor
struct Api {
    let baseURL: String
    let token: String?

    static func login(_ baseURL: String, _ username: String, _ password: String) async throws -> Api {
        let (status, body) = try await Api(baseURL: baseURL, token: nil)
            .call("POST", "/api/v1/auth/login", json: ["username": username, "password": password])
        guard status == 200, let token = (body as? [String: Any])?["token"] as? String else {
            throw TestServerError("login \(username): \(status)")
        }
        return Api(baseURL: baseURL, token: token)
    }

    func get(_ path: String) async throws -> (Int, Any?) { try await call("GET", path, json: nil) }

    func call(_ method: String, _ path: String, json: [String: Any]?) async throws -> (Int, Any?) {
        let (status, data) = try await raw(method, path, json: json)
        return (status, data.isEmpty ? nil : try? JSONSerialization.jsonObject(with: data))
    }

    /// The status and body bytes, as URLSession's callback hands them over.
    func raw(_ method: String, _ path: String, json: [String: Any]? = nil) async throws -> (Int, Data) {
        var request = URLRequest(url: URL(string: baseURL + path)!)
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let json {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
        }
        let (data, status): (Data, Int) = try await withCheckedThrowingContinuation { done in
            URLSession.shared.dataTask(with: request) { data, response, error in
                if let error {
                    done.resume(throwing: error)
                } else {
                    done.resume(returning: (data ?? Data(), (response as? HTTPURLResponse)?.statusCode ?? 0))
                }
            }.resume()
        }
        return (status, data)
    }
}

/// Every state a holder went through (observers are called on the main
/// actor, like the holder itself).
@MainActor
final class Recorder<S> {
    private(set) var all: [S] = []

    func add(_ state: S) { all.append(state) }
}
