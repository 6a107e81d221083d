// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "octo-git",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "octo-git", targets: ["octo-git"]),
    .library(name: "OctoGit", targets: ["OctoGit"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
  ],
  targets: [
    .systemLibrary(
      name: "CGit2",
      pkgConfig: "libgit2",
      providers: [.apt(["libgit2-dev"]), .brew(["libgit2"])]
    ),
    // Headers only: libcurl is opened with dlopen when needed (see CurlLibrary), so no pkgConfig, which
    // would link it into every process.
    .systemLibrary(
      name: "CCurl",
      providers: [.apt(["libcurl4-openssl-dev"]), .brew(["curl"])]
    ),
    // C helpers: skipping libgit2's certificate loading at start-up, a variadic SQLite call.
    .target(name: "CShims", linkerSettings: [.linkedLibrary("sqlite3")]),
    .executableTarget(name: "EmbedDefaultsTool"),
    .plugin(
      name: "EmbedDefaults",
      capability: .buildTool(),
      dependencies: ["EmbedDefaultsTool"]
    ),
    .target(
      name: "OctoGit",
      dependencies: [
        "CGit2",
        "CShims",
        "CCurl",
        .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "Mustache", package: "swift-mustache"),
      ],
      plugins: ["EmbedDefaults"]
    ),
    .executableTarget(
      name: "octo-git",
      dependencies: [
        "OctoGit",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .testTarget(
      name: "OctoGitTests",
      dependencies: ["OctoGit", "CGit2"]
    ),
  ]
)
