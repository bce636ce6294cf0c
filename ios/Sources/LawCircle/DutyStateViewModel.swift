import Foundation
import LawCircleFFI

/// The last punch this phone made, as the duty card shows it. Kept in the
/// settings so the card survives a restart (the punch itself lives in the
/// outbox until the server has it).
public struct DutyRecord: Codable, Equatable, Sendable {
    /// The phone's decision on the punch, kept by name.
    public enum Verdict: String, Codable, Sendable {
        case inside, outside, uncertain

        public init(_ verdict: FenceVerdict) {
            switch verdict {
            case .inside: self = .inside
            case .outside: self = .outside
            case .uncertain: self = .uncertain
            }
        }
    }

    public var postId: String
    public var postName: String
    /// Clocked in (签到) or out (签退).
    public var clockedIn: Bool
    /// When the phone recorded it (ms since the epoch).
    public var atMs: Int64
    public var punchId: String
    /// The outbox entry delivering it.
    public var outboxKey: String
    public var verdict: Verdict
    /// Made without a connection.
    public var offline: Bool
}

/// What the volunteer's duty card (值守状态) shows.
public struct DutyState: Equatable, Sendable {
    public enum Duty: Equatable, Sendable {
        case offDuty
        case onDuty(postName: String, sinceMs: Int64)
    }

    public enum Orders: Equatable, Sendable {
        case idle
        case loading
        /// How many orders wait for the user to accept, and how many they work on.
        case content(waitingForMe: Int, working: Int)
        /// No connection: the counts are unknown.
        case offline(UiError)
        case error(UiError)
    }

    public enum Hours: Equatable, Sendable {
        case idle
        case loading
        /// Total and this month's hours, the star level and what the next
        /// star needs, the latest sessions (the server counts them).
        case content(DutyHours)
        case offline(UiError)
        case error(UiError)
    }

    /// The volunteer's hours and stars (星级).
    public var hours: Hours = .idle
    /// The last punch this phone made, nil before the first.
    public var last: DutyRecord?
    /// Where that punch stands in the outbox (sent, waiting, refused…);
    /// nil before the first punch or once the entry is gone.
    public var delivery: OutboxState?
    public var orders: Orders = .idle

    /// On duty after a clock-in, off duty after a clock-out or before any.
    public var duty: Duty {
        guard let last, last.clockedIn else { return .offDuty }
        return .onDuty(postName: last.postName, sinceMs: last.atMs)
    }

    public init() {}
}

/// The volunteer's duty card: on or off duty from the last punch this phone
/// made (followed from the clock-in screen, kept in the settings), whether
/// that punch reached the server, how many orders wait for them or are
/// being worked on, and their duty hours and stars.
@MainActor
public final class DutyStateViewModel {
    public let state = StateHolder<DutyState>(DutyState())
    private let client: LawCircleClient
    private let settings: SettingsStore
    private var following: ObservationToken?
    static let key = "duty.lastPunch"

    public init(client: LawCircleClient, settings: SettingsStore) {
        self.client = client
        self.settings = settings
        let last = readSetting(settings, Self.key, as: DutyRecord.self)
        state.update { $0.last = last }
    }

    /// Records each punch the clock-in screen makes.
    public func follow(_ clockIn: ClockInViewModel) {
        following = clockIn.state.observe { [weak self] s in
            guard case let .punched(kind, receipt) = s.outcome, let self,
                self.state.value.last?.punchId != receipt.punchId
            else { return }
            var name = s.selectedPostId ?? ""
            if case let .content(posts) = s.posts, let post = posts.first(where: { $0.id == s.selectedPostId }) {
                name = post.name
            }
            self.record(kind, postId: s.selectedPostId ?? "", postName: name, receipt: receipt)
        }
    }

    /// Keeps a punch as the card's last one.
    public func record(_ kind: PunchKind, postId: String, postName: String, receipt: PunchReceipt) {
        let record = DutyRecord(
            postId: postId, postName: postName, clockedIn: kind == .in,
            atMs: Int64((Date().timeIntervalSince1970 * 1000).rounded()), punchId: receipt.punchId,
            outboxKey: receipt.outboxKey, verdict: DutyRecord.Verdict(receipt.check.verdict),
            offline: receipt.offline)
        writeSetting(settings, Self.key, record)
        state.update {
            $0.last = record
            $0.delivery = nil
        }
    }

    /// Reads the punch's delivery from the phone's outbox (off the main
    /// actor) and the order counts from the server.
    public func refresh() async {
        if let key = state.value.last?.outboxKey {
            let client = self.client
            let entry = try? await offMain { try client.outboxEntry(key: key) }
            state.update { $0.delivery = entry?.state }
        }
        state.update {
            $0.orders = .loading
            $0.hours = .loading
        }
        do {
            let orders = try await client.myOrders()
            let stages = orders.map { OrderStage($0.state) }
            state.update {
                $0.orders = .content(
                    waitingForMe: stages.filter { $0 == .waitingForMe }.count,
                    working: stages.filter { $0 == .working }.count)
            }
        } catch {
            let problem = UiError(error)
            state.update { $0.orders = problem.kind == .network ? .offline(problem) : .error(problem) }
        }
        do {
            let hours = try await client.myDutyHours()
            state.update { $0.hours = .content(hours) }
        } catch {
            let problem = UiError(error)
            state.update { $0.hours = problem.kind == .network ? .offline(problem) : .error(problem) }
        }
    }
}
