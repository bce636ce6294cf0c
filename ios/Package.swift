// swift-tools-version:6.0
// The LawCircle Swift shell. Run scripts/build-bindings first: it writes the
// generated LawCircleFFI.swift and the LawCircleFFIC C module (header,
// modulemap, Rust library), which are never committed.
import PackageDescription
import Foundation

let packageDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path
let ffiDir = packageDir + "/Sources/LawCircleFFIC"

#if os(Linux)
    // Linux (tests): the host build of the Rust library as a system library.
    let rustTarget: Target = .systemLibrary(name: "LawCircleFFIC", path: "Sources/LawCircleFFIC")
    let rustLinker: [LinkerSetting] = [.unsafeFlags(["-L", ffiDir, "-Xlinker", "-rpath", "-Xlinker", ffiDir])]
#else
    // Apple platforms: the xcframework built as ios/README.md says.
    let rustTarget: Target = .binaryTarget(name: "LawCircleFFIC", path: "build/LawCircleFFIC.xcframework")
    let rustLinker: [LinkerSetting] = []
#endif

let package = Package(
    name: "LawCircle",
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [
        .library(name: "LawCircle", targets: ["LawCircle"])
    ],
    targets: [
        rustTarget,
        // The generated bindings, as uniffi-bindgen wrote them.
        // Swift 5 mode: Swift 6.0.3's region-based isolation checker
        // (TransferNonSendable) crashes the compiler on the generated
        // helper for async foreign traits (the HttpTransport), and the
        // generated code is not ours to annotate.
        .target(
            name: "LawCircleFFI",
            dependencies: ["LawCircleFFIC"],
            path: "Sources/LawCircleFFI",
            swiftSettings: [.swiftLanguageMode(.v5)],
            linkerSettings: rustLinker
        ),
        // View models: plain Swift, no Combine, Observation or SwiftUI, so
        // they build and are tested on Linux. Views and the CoreLocation
        // adapter are behind #if canImport.
        // Swift 6 language mode (the tools' default) with its strict
        // concurrency checking: view models on the main actor, library work
        // awaited off it.
        .target(name: "LawCircle", dependencies: ["LawCircleFFI"], path: "Sources/LawCircle"),
        // The tests stay in Swift 5 mode: on Linux, XCTest's generated
        // test list calls each test method from a nonisolated context, which
        // Swift 6 refuses for the main-actor test classes the view models
        // need.
        .testTarget(
            name: "LawCircleTests", dependencies: ["LawCircle"], path: "Tests/LawCircleTests"),
        // The call-cost benchmark of scripts/bench-ffi.
        .executableTarget(
            name: "LawCircleBench", dependencies: ["LawCircle", "LawCircleFFI"], path: "Sources/LawCircleBench"),
    ]
)
