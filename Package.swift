// swift-tools-version:6.0
import Foundation
import PackageDescription

#if canImport(Glibc)
  import Glibc
  // "glibc 2.36"
  let libcVersion: String = {
    var buffer = [UInt8](repeating: 0, count: 64)
    let length = buffer.withUnsafeMutableBufferPointer { raw in
      raw.withMemoryRebound(to: CChar.self) { confstr(Int32(_CS_GNU_LIBC_VERSION), $0.baseAddress, $0.count) }
    }
    guard length > 1, length <= buffer.count else { return "" }
    let text = String(decoding: buffer[..<(length - 1)], as: UTF8.self)
    return text.split(separator: " ").last.map(String.init) ?? ""
  }()
#else
  let libcVersion = ""
#endif

// octo-git runs on Linux only: it relies on O_PATH, /proc/self/exe, st_mtim, posix_spawn's chdir and Debian's
// packages (hence no platforms claimed and no Homebrew providers).
//
// The linker looks first in .build-static/lib, which scripts/static-link.sh (run by every make target that
// builds) fills with linker scripts naming libgit2's, SQLite's and libstdc++'s static archives: hooks start
// without loading 22 shared libraries. Without that folder the same build links the shared libraries. The
// flag is given to the programs this package links (the executable, the tests, the fuzz targets), never to
// the library, so the OctoGit library stays usable as a dependency.
let staticArchives: [LinkerSetting] = [
  .unsafeFlags(["-L", Context.packageDirectory + "/.build-static/lib"], .when(platforms: [.linux]))
]

// The executable is linked by lld with safe identical-code folding and, where the C library can load them
// (glibc 2.36 and later: Debian 12, Ubuntu 24.04), packed relative relocations (DT_RELR): 2.4 MB smaller
// than gold's link, and a process start applies 18 KB of relocations instead of 2.6 MB. Together with the
// ICU data scripts/static-link.sh filters and libssh2 left out, the stripped binary is 38 MB instead of 75.
// A binary built here runs where this machine's glibc or a later one is.
let packedRelocations: Bool = {
  let version = libcVersion.split(separator: ".").compactMap { Int($0) }
  return version.count >= 2 && (version[0], version[1]) >= (2, 36)
}()
let leanExecutable: [LinkerSetting] = [
  .unsafeFlags(
    ["-use-ld=lld", "-Xlinker", "--icf=safe"]
      + (packedRelocations ? ["-Xlinker", "-z", "-Xlinker", "pack-relative-relocs"] : []),
    .when(platforms: [.linux]))
]

// `make fuzz` builds with OCTO_FUZZ=1: the core library and the fuzz targets get libFuzzer's coverage
// instrumentation (only they: the build plugin's tool must stay a plain program).
let fuzzing = ProcessInfo.processInfo.environment["OCTO_FUZZ"] == "1"
let fuzzFlags: [SwiftSetting] = fuzzing ? [.unsafeFlags(["-sanitize=fuzzer", "-D", "FUZZING"])] : []
let fuzzLink: [LinkerSetting] = fuzzing ? [.unsafeFlags(["-sanitize=fuzzer"])] : []

let package = Package(
  name: "octo-git",
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
    // No pkgConfig: its -L/usr/lib/<arch> would come before .build-static/lib (the headers are on the
    // default path, and module.modulemap names the library).
    .systemLibrary(
      name: "CGit2",
      providers: [.apt(["libgit2-dev"])]
    ),
    // Headers only: libcurl is opened with dlopen when needed (see CurlLibrary), so no pkgConfig, which
    // would link it into every process.
    .systemLibrary(
      name: "CCurl",
      providers: [.apt(["libcurl4-openssl-dev"])]
    ),
    // Headers only, like CCurl: libpq is opened with dlopen by the team commands (see PostgresLibrary).
    .systemLibrary(
      name: "CPostgres",
      providers: [.apt(["libpq-dev"])]
    ),
    // C helpers: skipping libgit2's certificate loading at start-up, libgit2's unused Kerberos calls, a
    // variadic SQLite call.
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
        "CPostgres",
        .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "Mustache", package: "swift-mustache"),
      ],
      swiftSettings: fuzzFlags,
      plugins: ["EmbedDefaults"]
    ),
    .executableTarget(
      name: "octo-git",
      dependencies: [
        "OctoGit",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      linkerSettings: staticArchives + leanExecutable
    ),
    // Fuzz targets for the parsers of outside bytes (`make fuzz`); a plain build replays seed corpora.
    .executableTarget(
      name: "octo-fuzz",
      dependencies: ["OctoGit"],
      swiftSettings: fuzzFlags,
      linkerSettings: staticArchives + fuzzLink
    ),
    .testTarget(
      name: "OctoGitTests",
      dependencies: ["OctoGit", "CGit2", .product(name: "GRDB", package: "GRDB.swift")],
      linkerSettings: staticArchives
    ),
  ]
)
