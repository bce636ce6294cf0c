import Foundation
import LawCircleFFI

/// What the order-detail screen (工单详情) shows to the volunteer or lawyer
/// holding an order: the need (what happened, where, the area), its
/// attachments downloaded to files on demand, and the requester's contact
/// read with a reason (audited on the server).
public struct OrderDetailState: Equatable, Sendable {
    public enum Phase: Equatable, Sendable {
        case idle
        case loading
        case content(OrderDetail)
        /// The user may not read it (not theirs, or dispatched and not
        /// accepted yet: accept it first).
        case refused(UiError)
        /// No connection; nothing is kept on the phone (it is someone's
        /// legal trouble).
        case offline(UiError)
        case error(UiError)
    }

    public enum Contact: Equatable, Sendable {
        case notRead
        case reading
        case read(RequesterContact)
        /// A blank reason, a refusal or no connection.
        case error(UiError)
    }

    public enum Attachment: Equatable, Sendable {
        case notDownloaded
        case downloading
        /// Saved to `path`, `bytes` long, its sha256 checked by the library.
        case saved(path: String, bytes: UInt64)
        case failed(UiError)
    }

    public var phase: Phase = .idle
    public var contact: Contact = .notRead
    /// Each attachment's download, by its id.
    public var attachments: [String: Attachment] = [:]

    /// The need's detail once read.
    public var detail: OrderDetail? {
        if case let .content(detail) = phase { return detail }
        return nil
    }

    public init() {}
}

/// The order `orderId` with its need, for its holder. Mirrors the server's
/// rules: the read is audited ("handling the order"), the requester's
/// name and phone are a second read that needs a reason.
@MainActor
public final class OrderDetailViewModel {
    public let state = StateHolder<OrderDetailState>(OrderDetailState())
    public let orderId: String
    private let client: LawCircleClient

    public init(client: LawCircleClient, orderId: String) {
        self.client = client
        self.orderId = orderId
    }

    public func load() async {
        state.update { $0.phase = .loading }
        do {
            let detail = try await client.orderDetail(orderId: orderId)
            state.update {
                $0.phase = .content(detail)
                for file in detail.attachments where $0.attachments[file.id] == nil {
                    $0.attachments[file.id] = .notDownloaded
                }
            }
        } catch {
            let problem = UiError(error)
            state.update {
                switch problem.kind {
                case .network: $0.phase = .offline(problem)
                case .server where problem.status == 403 || problem.status == 404: $0.phase = .refused(problem)
                default: $0.phase = .error(problem)
                }
            }
        }
    }

    /// Reads the requester's name and phone, saying why (audited); a blank
    /// reason is refused by field `reason`.
    public func readContact(reason: String) async {
        state.update { $0.contact = .reading }
        do {
            let contact = try await client.requesterContact(orderId: orderId, reason: reason)
            state.update { $0.contact = .read(contact) }
        } catch {
            state.update { $0.contact = .error(UiError(error)) }
        }
    }

    /// Downloads attachment `id` into `folder` (a file named by its id);
    /// the library writes it in the background and never leaves a partial
    /// file.
    public func download(_ id: String, into folder: URL) async {
        state.update { $0.attachments[id] = .downloading }
        let path = folder.appendingPathComponent(id).path
        do {
            let bytes = try await client.downloadAttachment(orderId: orderId, attachmentId: id, destPath: path)
            state.update { $0.attachments[id] = .saved(path: path, bytes: bytes) }
        } catch {
            state.update { $0.attachments[id] = .failed(UiError(error)) }
        }
    }
}
