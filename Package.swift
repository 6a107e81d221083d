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
  ],
  targets: [
    .systemLibrary(
      name: "CGit2",
      pkgConfig: "libgit2",
      providers: [.apt(["libgit2-dev"]), .brew(["libgit2"])]
    ),
    .systemLibrary(
      name: "CCurl",
      pkgConfig: "libcurl",
      providers: [.apt(["libcurl4-openssl-dev"]), .brew(["curl"])]
    ),
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
        "CCurl",
        .product(name: "GRDB", package: "GRDB.swift"),
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
