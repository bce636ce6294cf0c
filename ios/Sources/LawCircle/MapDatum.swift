import LawCircleFFI

/// The datum a map draws in. Apple's maps (MapKit) inside mainland China
/// use GCJ-02, as do Amap and Tencent maps; Baidu uses BD-09; elsewhere
/// WGS-84. A point the core gives (any datum) is converted before it is
/// drawn, and a tap on the map is converted back before it reaches the
/// core, so a pin stands where the place is. The conversion is the core's
/// (`convertPoint`), which leaves points outside mainland China unchanged.
public enum MapDatum {
    /// MapKit: GCJ-02 (unchanged outside mainland China).
    public static let mapKit: Datum = .gcj02

    /// Where to draw `point` on a map in `datum`.
    public static func display(_ point: Point, on datum: Datum = mapKit) throws -> Point {
        point.datum == datum ? point : try convertPoint(point: point, to: datum)
    }

    /// A tap at `lat`, `lng` on a map in `datum`, as the core takes it (WGS-84).
    public static func tapped(lat: Double, lng: Double, on datum: Datum = mapKit) throws -> Point {
        try convertPoint(point: Point(lat: lat, lng: lng, datum: datum), to: .wgs84)
    }
}
