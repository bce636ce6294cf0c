import Foundation
import LawCircleFFI

/// What the village picker (选择村/社区) of the new-need form shows.
public struct VillagePickerState: Equatable, Sendable {
    public enum Located: Equatable, Sendable {
        case idle
        /// The village at the GPS fix.
        case found(Village)
        /// The phone knows no village there (outside the district, or the
        /// catalogue was never fetched): pick from the list.
        case notFound
        case error(UiError)
    }

    public enum List: Equatable, Sendable {
        case idle
        /// Matching villages, by street and code; empty: nothing matches.
        case content([Village])
        case error(UiError)
    }

    public var located: Located = .idle
    public var search = ""
    public var list: List = .idle
    /// The village picked (from the fix or the list); its code is the
    /// need's area code.
    public var picked: Village?

    public init() {}
}

/// Picks the need's village or community without typing a 12-digit code:
/// from the GPS fix (`villageAt`) or a searchable list (`villages`), both
/// read from the phone's copy of the areas (offline; a refresh of the
/// catalogue fetches them), off the main actor.
@MainActor
public final class VillagePickerViewModel {
    public let state = StateHolder<VillagePickerState>(VillagePickerState())
    private let client: LawCircleClient
    /// Told of each pick (the new-need form sets its area code).
    private let onPick: (Village) -> Void

    public init(client: LawCircleClient, onPick: @escaping (Village) -> Void = { _ in }) {
        self.client = client
        self.onPick = onPick
    }

    /// Finds the village at `point` and picks it when there is one.
    public func locate(at point: Point) async {
        let client = self.client
        do {
            let village = try await offMain { try client.villageAt(point: point) }
            if let village {
                state.update { $0.located = .found(village) }
                pick(village)
            } else {
                state.update { $0.located = .notFound }
            }
        } catch {
            state.update { $0.located = .error(UiError(error)) }
        }
    }

    /// Lists the villages whose name contains `text` or whose code starts
    /// with it (all when blank), optionally of one street.
    public func search(_ text: String, streetCode: String? = nil) async {
        state.update { $0.search = text }
        let client = self.client
        let query = text.trimmingCharacters(in: .whitespaces)
        do {
            let villages = try await offMain {
                try client.villages(streetCode: streetCode, search: query.isEmpty ? nil : query)
            }
            // A slower answer to an older search is not shown.
            guard state.value.search == text else { return }
            state.update { $0.list = .content(villages) }
        } catch {
            state.update { $0.list = .error(UiError(error)) }
        }
    }

    public func pick(_ village: Village) {
        state.update { $0.picked = village }
        onPick(village)
    }
}

extension NewNeedViewModel {
    /// A village picker whose picks set this form's area code.
    public func villagePicker() -> VillagePickerViewModel {
        VillagePickerViewModel(client: client) { [weak self] village in
            self?.edit { $0.areaCode = village.code }
        }
    }
}
