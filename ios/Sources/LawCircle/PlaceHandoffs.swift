import Foundation
import LawCircleFFI

/// A place's detail hands off to the phone: "navigate" opens walking
/// directions in a map app the phone has (Amap, Baidu, Tencent, Apple
/// Maps), each URL carrying the coordinates in the datum that app reads
/// (the core's `mapHandoffs`); "call" opens the phone app with the number.
public enum PlaceHandoffs {
    /// How this app names itself to the map apps that ask.
    public static let source = "LawCircle"

    /// The map apps that can walk the user to `place`, mainland apps first,
    /// keeping those `canOpen` accepts (`UIApplication.canOpenURL`, which
    /// answers for the schemes listed in Info.plist's
    /// `LSApplicationQueriesSchemes`).
    public static func mapChoices(place: Point, name: String, canOpen: (URL) -> Bool) throws -> [(MapHandoff, URL)] {
        try mapHandoffs(place: place, name: name, platform: .ios, source: source).compactMap { handoff in
            guard let url = URL(string: handoff.uri), canOpen(url) else { return nil }
            return (handoff, url)
        }
    }

    /// The `tel:` URL for `phone`, or nil when it has no digits.
    public static func dialURL(_ phone: String) -> URL? {
        let digits = phone.filter { $0.isASCII && ($0.isNumber || $0 == "+" || $0 == "-") }
        guard digits.contains(where: \.isNumber) else { return nil }
        return URL(string: "tel:\(digits)")
    }
}
