// The service points on a MapKit map. Apple's maps inside mainland China
// are drawn in GCJ-02, so every point goes through MapDatum before it is
// drawn, and a tap comes back through it before it reaches the core.
import LawCircle
import LawCircleFFI
import MapKit
import SwiftUI

struct ServiceMapView: View {
    let places: [NearbyPlace]
    let onTap: (Point) -> Void
    @Environment(\.strings) private var s

    var body: some View {
        MapReader { proxy in
            Map {
                ForEach(places, id: \.facilityId) { place in
                    if let drawn = try? MapDatum.display(place.point) {
                        Annotation(
                            place.name, coordinate: CLLocationCoordinate2D(latitude: drawn.lat, longitude: drawn.lng)
                        ) {
                            Image(systemName: "mappin.circle.fill")
                                .font(.title)
                                .foregroundStyle(.red)
                                .accessibilityLabel(place.name)
                                .accessibilityHint(
                                    facilityKindName(place.kind, s) + " · " + place.address + " · "
                                        + s(
                                            .walkMetresMinutes, distanceText(place.walkingM ?? place.straightM, s),
                                            Int((place.walkingMinutes ?? 0).rounded()))
                                )
                                .accessibilityAddTraits(.isButton)
                        }
                    }
                }
            }
            .onTapGesture { screen in
                guard let coordinate = proxy.convert(screen, from: .local),
                    let point = try? MapDatum.tapped(lat: coordinate.latitude, lng: coordinate.longitude)
                else { return }
                onTap(point)
            }
        }
    }
}
