// swift-tools-version:6.1
// A small program that uses SnapCheck as a library, the way a backup or restore tool would:
// record, verify, spot-check and diff through the async API, with progress and cancellation.
// CI builds and runs it (.ci/run), so a change that breaks the library's API fails CI.
import PackageDescription

let package = Package(
    name: "RestoreCheck",
    dependencies: [
        .package(name: "snapcheck", path: "../.."),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    ],
    targets: [
        .executableTarget(
            name: "RestoreCheck",
            dependencies: [
                .product(name: "SnapCheck", package: "snapcheck"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
    ]
)
