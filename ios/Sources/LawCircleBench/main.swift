// Swift side of scripts/bench-ffi: the calls of bindings/bench/src/bin/ffi_bench.rs
// through the generated bindings.
import Foundation
import LawCircle
import LawCircleFFI

func perCallNs(_ iters: Int, _ f: () -> Void) -> Double {
    for _ in 0..<(iters / 10) { f() }
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<iters { f() }
    return Double(DispatchTime.now().uptimeNanoseconds - start) / Double(iters)
}

let iters =
    CommandLine.arguments.dropFirst().first.flatMap { Int($0) }
    ?? ProcessInfo.processInfo.environment["LAWCIRCLE_BENCH_ITERS"].flatMap { Int($0) }
    ?? 200_000
let a = Point(lat: 27.93, lng: 120.82, datum: .wgs84)
let b = Point(lat: 27.94, lng: 120.83, datum: .gcj02)
var sink = 0.0
let trivial = perCallNs(iters) { sink += Double(coreVersion().utf8.count) }
let distance = perCallNs(iters) { sink += (try? distanceM(a: a, b: b)) ?? 0 }
// Nearest k = 5 offline, with a product filter, on the demo catalogue
// (181 facilities) installed from data/longwan/facilities.csv (the clone is
// mounted at /lawcircle in the chroot; LAWCIRCLE_BENCH_CATALOGUE overrides).
let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lawcircle-bench-\(getpid())")
let client = try LawCircleClient.open(
    config: ClientConfig(
        databasePath: dir.appendingPathComponent("phone.sqlite").path,
        serverUrl: "http://127.0.0.1:9",
        credentials: Credentials(userId: "bench", secret: "")),
    // Never used: the bench makes no request.
    transport: URLSessionTransport())
_ = try await client.installCatalogueFile(
    path: ProcessInfo.processInfo.environment["LAWCIRCLE_BENCH_CATALOGUE"]
        ?? "/lawcircle/data/longwan/facilities.csv")
let query = NearbyQuery(point: a, k: 5, kinds: [], products: [.mediation], openAtMs: nil, maxDistanceM: nil)
let nearest = perCallNs(iters / 10) { sink += Double((try? client.nearest(query: query))?.count ?? 0) }
try? FileManager.default.removeItem(at: dir)
// One line per call, parsed by scripts/bench-ffi.
print(String(format: "swift core_version %.1f", trivial))
print(String(format: "swift distance_m %.1f", distance))
print(String(format: "swift nearest_k5 %.1f", nearest))
if sink == 42 { print("") }
