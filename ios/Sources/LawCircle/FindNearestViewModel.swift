import Foundation
import LawCircleFFI

/// The phone's offline copy of the catalogue, as the find-nearest screen's
/// header shows it.
public enum CatalogueState: Equatable, Sendable {
    /// Not asked yet.
    case unknown
    case refreshing
    /// Fetched from the platform just now.
    case fresh(OfflineStatus)
    /// The platform could not be reached: the phone's copy is used.
    case offline(OfflineStatus, reason: String)
    case error(UiError)
}

/// What the nearest search found at one spot.
public struct NearestResult: Equatable, Sendable {
    public let point: Point
    /// Nearest first, each with its walking distance.
    public let places: [NearbyPlace]
    /// Which service products are within a 15-minute walk of the spot.
    public let coverage: SpotCoverage
    /// No walking network is loaded: the walks are straight line × detour,
    /// and the screen says "estimated".
    public let estimated: Bool
}

public enum FindNearestState: Equatable, Sendable {
    /// No position yet.
    case idle
    case content(NearestResult)
    /// A refused query (e.g. an unknown kind: `field` is `kinds`).
    case error(UiError)
}

/// "Find the nearest legal service point": refreshes the catalogue when
/// online and searches the phone's copy, offline, by position with kind and
/// product filters. Mirrors Android's FindNearestPresenter.
@MainActor
public final class FindNearestViewModel {
    public let state = StateHolder<FindNearestState>(.idle)
    public let catalogue = StateHolder<CatalogueState>(.unknown)
    private let client: LawCircleClient
    private var kinds: [FacilityKind] = []
    private var products: [ServiceProduct] = []
    private var k: UInt32
    private var last: Point?

    public init(client: LawCircleClient, k: UInt32 = 5) {
        self.client = client
        self.k = k
    }

    /// Fetches what changed in the catalogue; offline, keeps the phone's
    /// copy and says so. Searches again at the last position.
    public func refreshCatalogue() async {
        catalogue.set(.refreshing)
        do {
            catalogue.set(.fresh(try await client.refreshCatalogue()))
        } catch let LawCircleError.Network(reason) {
            do {
                catalogue.set(.offline(try client.offlineStatus(), reason: reason))
            } catch {
                catalogue.set(.error(UiError(error)))
            }
        } catch {
            catalogue.set(.error(UiError(error)))
        }
        researchIfPositioned()
    }

    /// Loads a walking network file (read and checked off the main actor):
    /// walks are then measured on foot.
    public func loadWalkingNetwork(path: String) async {
        do {
            let client = self.client
            _ = try await client.loadWalkingNetwork(path: path)
        } catch {
            state.set(.error(UiError(error)))
            return
        }
        researchIfPositioned()
    }

    /// Facility kinds (any of them) and service products (all of them);
    /// empty means no filter.
    public func setFilters(kinds: [FacilityKind] = [], products: [ServiceProduct] = []) {
        self.kinds = kinds
        self.products = products
        researchIfPositioned()
    }

    /// Searches the phone's copy at `point` (any datum: the places come back
    /// in the same datum, ready to pin on the map the point came from).
    public func search(at point: Point) {
        last = point
        let query = NearbyQuery(
            point: point, k: k, kinds: kinds, products: products,
            openAtMs: nil, maxDistanceM: nil)
        do {
            let places = try client.nearest(query: query)
            let coverage = try client.coverageAt(point: point)
            state.set(
                .content(
                    NearestResult(
                        point: point, places: places, coverage: coverage,
                        estimated: coverage.walkingEstimated)))
        } catch {
            state.set(.error(UiError(error)))
        }
    }

    private func researchIfPositioned() {
        if let point = last { search(at: point) }
    }
}
