import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
import LawCircleFFI

/// The phone library's HTTP through `URLSession`: give it to
/// `LawCircleClient.open`.
///
/// It only moves bytes. URLs, headers, the bearer token, retries, renewal
/// after a refused token, JSON and the API's errors are the library's; a
/// 4xx or 5xx comes back as a response for the library to read, and only a
/// missing response (offline, TLS, timeout) throws `HttpError`. TLS,
/// proxies and trust are the system's (App Transport Security, the
/// keychain's and MDM-installed CAs). Cancelling the library's call (the
/// task awaiting it) cancels the `URLSessionTask`.
public final class URLSessionTransport: HttpTransport, Sendable {
    private let session: URLSession

    /// Over `session` (`.shared` by default; an app may pass one with its
    /// own configuration).
    public init(session: URLSession = .shared) {
        self.session = session
    }

    public func send(request: HttpRequest) async throws -> HttpResponse {
        let urlRequest = try request.urlRequest()
        let box = TaskBox()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (done: CheckedContinuation<HttpResponse, Error>) in
                let task = session.dataTask(with: urlRequest) { data, response, error in
                    if let error {
                        done.resume(throwing: httpError(error))
                    } else if let http = response as? HTTPURLResponse {
                        done.resume(
                            returning: HttpResponse(
                                status: UInt16(clamping: http.statusCode), headers: http.ffiHeaders(),
                                body: data ?? Data()))
                    } else {
                        done.resume(throwing: HttpError.Transport(reason: "not an HTTP response"))
                    }
                }
                box.set(task)
                task.resume()
            }
        } onCancel: {
            box.cancel()
        }
    }

    public func stream(request: HttpRequest, receiver: HttpStreamReceiver) async throws {
        let urlRequest = try request.urlRequest()
        let box = TaskBox()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, Error>) in
                // A session of its own: its delegate gets the body as it
                // arrives (the event stream never ends by itself).
                let delegate = StreamDelegate(receiver: receiver, done: done)
                let streaming = URLSession(
                    configuration: session.configuration, delegate: delegate, delegateQueue: nil)
                let task = streaming.dataTask(with: urlRequest)
                box.set(task)
                task.resume()
                streaming.finishTasksAndInvalidate()
            }
        } onCancel: {
            box.cancel()
        }
    }
}

/// The task of a call, for cancelling it from another thread.
private final class TaskBox: @unchecked Sendable {
    private let lock = NSLock()
    private var task: URLSessionTask?
    private var cancelled = false

    func set(_ task: URLSessionTask) {
        lock.lock()
        self.task = task
        let cancel = cancelled
        lock.unlock()
        if cancel { task.cancel() }
    }

    func cancel() {
        lock.lock()
        cancelled = true
        let task = self.task
        lock.unlock()
        task?.cancel()
    }
}

/// Hands a streamed response to the library's receiver and finishes the
/// call once, when the body ends or breaks.
private final class StreamDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let receiver: HttpStreamReceiver
    private let lock = NSLock()
    private var done: CheckedContinuation<Void, Error>?

    init(receiver: HttpStreamReceiver, done: CheckedContinuation<Void, Error>) {
        self.receiver = receiver
        self.done = done
    }

    private func finish(_ result: Result<Void, Error>) {
        lock.lock()
        let done = self.done
        self.done = nil
        lock.unlock()
        done?.resume(with: result)
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        guard let http = response as? HTTPURLResponse else {
            completionHandler(.cancel)
            finish(.failure(HttpError.Transport(reason: "not an HTTP response")))
            return
        }
        receiver.onHead(status: UInt16(clamping: http.statusCode), headers: http.ffiHeaders())
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        if !receiver.onChunk(chunk: data) {
            // Nobody reads any more.
            dataTask.cancel()
            finish(.success(()))
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        if let error {
            finish(.failure(httpError(error)))
        } else {
            finish(.success(()))
        }
    }
}

extension HttpRequest {
    fileprivate func urlRequest() throws -> URLRequest {
        guard let url = URL(string: url) else {
            throw HttpError.Transport(reason: "not a URL: \(self.url)")
        }
        var request = URLRequest(url: url)
        request.httpMethod =
            switch method {
            case .get: "GET"
            case .post: "POST"
            case .put: "PUT"
            case .patch: "PATCH"
            case .delete: "DELETE"
            }
        for header in headers {
            request.addValue(header.value, forHTTPHeaderField: header.name)
        }
        if !body.isEmpty { request.httpBody = body }
        // URLSession's timeout is the longest silence; the library bounds
        // the whole call as well.
        request.timeoutInterval = TimeInterval(timeoutMs) / 1000
        return request
    }
}

extension HTTPURLResponse {
    fileprivate func ffiHeaders() -> [HttpHeader] {
        allHeaderFields.compactMap { name, value in
            guard let name = name as? String, let value = value as? String else { return nil }
            return HttpHeader(name: name, value: value)
        }
    }
}

/// Why no response came, as the library's transport error.
private func httpError(_ error: Error) -> HttpError {
    if let urlError = error as? URLError, urlError.code == .timedOut {
        return .Timeout(reason: urlError.localizedDescription)
    }
    return .Network(reason: "\(error)")
}
