// swift-tools-version:6.1
// The benchmarks are a package of their own so that users of the library never resolve
// the benchmark dependencies. Run from this folder: `swift package benchmark`.
import PackageDescription

let package = Package(
    name: "snapcheck-benchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "snapcheck", path: ".."),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // How long an async job takes to return after its task is cancelled (issue 14).
        .executableTarget(
            name: "CancelLatency",
            dependencies: [
                .product(name: "SnapCheck", package: "snapcheck"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            path: "Benchmarks/CancelLatency"
        ),
        .executableTarget(
            name: "CoreBenchmarks",
            dependencies: [
                .product(name: "SnapCheck", package: "snapcheck"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/CoreBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
