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
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
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
        .systemLibrary(
            name: "CSnapCheckArchive",
            pkgConfig: "libarchive",
            providers: [.apt(["libarchive-dev"])]
        ),
        .systemLibrary(
            name: "CSnapCheckISAL",
            pkgConfig: "libisal",
            providers: [.apt(["libisal-dev"])]
        ),
        // Linux calls the Glibc module leaves out (no library to link).
        .systemLibrary(name: "CSnapCheckSystem"),
        .target(
            name: "SnapCheck",
            dependencies: [
                "CSnapCheckOpenSSL", "CSnapCheckZlib", "CSnapCheckArchive", "CSnapCheckISAL", "CSnapCheckSystem",
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .executableTarget(
            name: "snapcheck",
            dependencies: [
                "SnapCheck",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .testTarget(
            name: "SnapCheckTests",
            dependencies: ["SnapCheck", .product(name: "SystemPackage", package: "swift-system")]
        ),
        .testTarget(
            name: "CLITests",
            dependencies: ["SnapCheck", .product(name: "SystemPackage", package: "swift-system")]
        ),
    ]
)
