// swift-tools-version:6.1
// Fuzz targets, a package of their own (like Benchmarks/) because they build only with
// `-sanitize=fuzzer` (and `-parse-as-library`: libFuzzer brings `main`): run ./run.sh.
import PackageDescription

let package = Package(
    name: "snapcheck-fuzz",
    dependencies: [
        .package(name: "snapcheck", path: ".."),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    ],
    targets: [
        .executableTarget(
            name: "ManifestReaderFuzzer",
            dependencies: [
                .product(name: "SnapCheck", package: "snapcheck"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
    ]
)
