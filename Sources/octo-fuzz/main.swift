import Foundation

// `octo-fuzz TARGET FILE-OR-FOLDER...`: built plainly, it replays the inputs through the target (what
// `make test` does with the seed corpora in Tests/Fuzz). Built for fuzzing (`make fuzz`: OCTO_FUZZ=1, which
// instruments the core library and defines FUZZING), it hands its command line to libFuzzer's driver, which
// calls the entry point below with each input, for the target named by OCTO_FUZZ_TARGET.

#if FUZZING
  /// libFuzzer's entry point.
  @_cdecl("LLVMFuzzerTestOneInput")
  public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzTargets.run(FuzzTargets.fromEnvironment, UnsafeBufferPointer(start: data, count: size))
    return 0
  }

  /// libFuzzer's driver: parses its flags and corpus folders, then fuzzes `callback`.
  @_silgen_name("LLVMFuzzerRunDriver")
  func fuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
  ) -> CInt

  _ = FuzzTargets.fromEnvironment
  var argc = CommandLine.argc
  var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
  exit(fuzzerDriver(&argc, &argv, fuzzOne))
#else
  let arguments = Array(CommandLine.arguments.dropFirst())
  guard let target = arguments.first, FuzzTargets.names.contains(target) else {
    FileHandle.standardError.write(
      Data("usage: octo-fuzz \(FuzzTargets.names.joined(separator: "|")) FILE-OR-FOLDER...\n".utf8))
    exit(2)
  }
  var inputs = 0
  for path in arguments.dropFirst() {
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { continue }
    let files =
      isFolder.boolValue
      ? ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().map { path + "/" + $0 } : [path]
    for file in files {
      guard let data = FileManager.default.contents(atPath: file) else { continue }
      data.withUnsafeBytes { FuzzTargets.run(target, $0.bindMemory(to: UInt8.self)) }
      inputs += 1
    }
  }
  print("\(target): \(inputs) inputs replayed")
#endif
