// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "snapcheck",
    products: [
        .library(name: "SnapCheck", targets: ["SnapCheck"]),
        .executable(name: "snapcheck", targets: ["snapcheck"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // System libraries: one module map each, prefixed with the project's name because
        // module names are global in a package graph.
        .systemLibrary(
            name: "CSnapCheckOpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CSnapCheckZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(
            name: "SnapCheck",
            dependencies: ["CSnapCheckOpenSSL", "CSnapCheckZlib"]
        ),
        .executableTarget(
            name: "snapcheck",
            dependencies: [
                "SnapCheck",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "SnapCheckTests",
            dependencies: ["SnapCheck"]
        ),
        .testTarget(
            name: "CLITests",
            dependencies: ["SnapCheck"]
        ),
    ]
)
