import Foundation

/// The files of a work tree as the last checkpoint saw them: each path's mode, blob id and the stat data
/// the file had when it was hashed, and the tree they form. Kept in `<git-dir>/octo/snapshot.state`.
///
/// It plays the part a private git index would, without its costs: git's index format ends with a
/// SHA-1 of the whole file that libgit2 verifies on every read (with collision detection), then builds a
/// hash map of every path; on 22,000 files that is 20–30 ms before anything is compared. This file is
/// mapped into memory (``MappedFile``) and indexed by offsets, and its paths are handed to `lstat` as they lie.
///
/// Layout: `OCTOSNP3`, the tree id (20 bytes), the record count (UInt32), then one record per path in
/// byte order of path: mode, flags (UInt32 each), size, inode, modification and change times (seconds and
/// nanoseconds; UInt64/Int64 each), blob id (20 bytes), the path and a NUL; last, a checksum of everything
/// before it (``StableHash/xxh64(_:)``, UInt64). Little-endian. A file that does not check (cut short,
/// damaged, records that are not those the tree was written from) is not used: the state is rebuilt from
/// `.git/index`, and the checkpoint says so. Files of the earlier layouts are still read (`OCTOSNP2`: the
/// same with ``StableHash/words(_:)``'s checksum; `OCTOSNP1`: no checksum); the next save writes the third.
///
/// Paths are kept as the bytes git and the file system use; as strings they are in ``RawPath`` form, so a
/// name that is not UTF-8 still names its file.
final class SnapshotState {
  /// One path as it is to be recorded.
  struct Record {
    /// In ``RawPath`` form.
    var path: String
    var mode: UInt32
    var skipWorktree: Bool
    var id: Oid
    var stat: RecordedStat
  }

  static let magic = Array("OCTOSNP3".utf8)
  /// The second layout's magic: its checksum is ``StableHash/words(_:)``'s.
  static let wordsMagic = Array("OCTOSNP2".utf8)
  /// The first layout's magic: no checksum at the end.
  static let uncheckedMagic = Array("OCTOSNP1".utf8)
  static let checksumSize = 8
  static let headerSize = 32
  static let fixedSize = 76

  /// The tree the records form.
  let tree: Oid
  /// The records: the mapped file's bytes (never written), or memory this state allocated.
  private let storage: UnsafeMutableRawBufferPointer
  /// The file `storage` lies in, when it was read from one.
  private let mapping: MappedFile?
  /// Where each record starts in `storage`, in byte order of path.
  private let offsets: [Int]

  private init(tree: Oid, storage: UnsafeMutableRawBufferPointer, offsets: [Int], mapping: MappedFile? = nil) {
    self.tree = tree
    self.storage = storage
    self.offsets = offsets
    self.mapping = mapping
  }

  deinit { if mapping == nil { storage.deallocate() } }

  var count: Int { offsets.count }

  func pathPointer(_ position: Int) -> UnsafePointer<CChar> {
    UnsafePointer((storage.baseAddress! + offsets[position] + Self.fixedSize).assumingMemoryBound(to: CChar.self))
  }

  /// The path at `position`, in ``RawPath`` form.
  func path(_ position: Int) -> String { RawPath.string(cString: pathPointer(position)) }

  func mode(_ position: Int) -> UInt32 { load(position, 0, as: UInt32.self) }

  func skipWorktree(_ position: Int) -> Bool { load(position, 4, as: UInt32.self) & 1 != 0 }

  func stat(_ position: Int) -> RecordedStat {
    RecordedStat(
      size: load(position, 8, as: UInt64.self), inode: load(position, 16, as: UInt64.self),
      mtimeSeconds: load(position, 24, as: Int64.self), mtimeNanoseconds: load(position, 32, as: Int64.self),
      ctimeSeconds: load(position, 40, as: Int64.self), ctimeNanoseconds: load(position, 48, as: Int64.self))
  }

  func id(_ position: Int) -> Oid {
    Oid(bytes: UnsafeRawBufferPointer(rebasing: storage[(offsets[position] + 56)..<(offsets[position] + 76)]))
  }

  func record(_ position: Int) -> Record {
    Record(
      path: path(position), mode: mode(position), skipWorktree: skipWorktree(position), id: id(position),
      stat: stat(position))
  }

  /// The position of `path` (in ``RawPath`` form), found by binary search.
  func position(of path: String) -> Int? {
    RawPath.withCString(path) { key in
      var low = 0
      var high = offsets.count
      while low < high {
        let middle = (low + high) / 2
        let order = strcmp(pathPointer(middle), key)
        if order == 0 { return middle }
        if order < 0 { low = middle + 1 } else { high = middle }
      }
      return nil
    }
  }

  private func load<T: FixedWidthInteger>(_ position: Int, _ field: Int, as type: T.Type) -> T {
    T(littleEndian: storage.loadUnaligned(fromByteOffset: offsets[position] + field, as: T.self))
  }

  // MARK: - Reading and building

  /// The state saved at `path`, or `nil` when there is none or it does not parse.
  static func load(from path: String) -> SnapshotState? {
    // Mapped; read into memory where the file system cannot map files (some network and FUSE mounts).
    let mapped = MappedFile(path)
    guard let read = mapped.map({ UnsafeMutableRawBufferPointer(mutating: $0.bytes) }) ?? FileBuffer.read(path) else {
      return nil
    }
    func refused() -> SnapshotState? {
      if mapped == nil { read.deallocate() }
      return nil
    }
    var storage = read
    let kind = Array(read[0..<min(8, read.count)])
    if read.count >= headerSize + checksumSize, kind == magic || kind == wordsMagic {
      // The records are what the checksum covers; the state keeps the buffer without it.
      let covered = read.count - checksumSize
      let stored = UInt64(littleEndian: read.loadUnaligned(fromByteOffset: covered, as: UInt64.self))
      let records = UnsafeRawBufferPointer(rebasing: read[0..<covered])
      guard (kind == magic ? StableHash.xxh64(records) : StableHash.words(records)) == stored else { return refused() }
      storage = UnsafeMutableRawBufferPointer(start: read.baseAddress, count: covered)
    }
    guard storage.count >= headerSize, let state = parse(storage, mapping: mapped) else { return refused() }
    return state
  }

  /// The state of a freshly read index: its stage-0 entries (already in path order) and `tree`.
  static func from(_ index: Index, tree: Oid) -> SnapshotState {
    var bytes: [UInt8] = []
    var count: UInt32 = 0
    index.forEachEntry { path, mode, id, stat, skip in
      let length = strlen(path)
      append(&bytes, mode: mode, skipWorktree: skip, id: id, stat: stat) {
        $0.append(contentsOf: UnsafeRawBufferPointer(start: path, count: length))
      }
      count += 1
    }
    return make(tree: tree, count: count, body: bytes)
  }

  /// Builds a state from a header and encoded records; records out of path order are sorted.
  private static func make(tree: Oid, count: UInt32, body: [UInt8]) -> SnapshotState {
    var bytes = magic
    tree.withBytes { bytes.append(contentsOf: $0) }
    withUnsafeBytes(of: count.littleEndian) { bytes.append(contentsOf: $0) }
    bytes.append(contentsOf: body)
    let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 8)
    storage.copyBytes(from: bytes)
    if let state = parse(storage) { return state }
    // Out of order (an index sorted another way): sort the records by path and parse again.
    let offsets = recordOffsets(storage) ?? []
    let sorted = offsets.sorted { strcmp(pathAt(storage, $0), pathAt(storage, $1)) < 0 }
    var reordered = Array(bytes[0..<headerSize])
    for offset in sorted {
      let end = offset + fixedSize + strlen(pathAt(storage, offset)) + 1
      reordered.append(contentsOf: UnsafeRawBufferPointer(rebasing: storage[offset..<end]))
    }
    storage.deallocate()
    let again = UnsafeMutableRawBufferPointer.allocate(byteCount: reordered.count, alignment: 8)
    again.copyBytes(from: reordered)
    return parse(again) ?? SnapshotState(tree: tree, storage: again, offsets: [])
  }

  private static func pathAt(_ storage: UnsafeMutableRawBufferPointer, _ offset: Int) -> UnsafePointer<CChar> {
    UnsafePointer((storage.baseAddress! + offset + fixedSize).assumingMemoryBound(to: CChar.self))
  }

  /// Where each record starts, when the buffer holds a well-formed header and records.
  private static func recordOffsets(_ storage: UnsafeMutableRawBufferPointer) -> [Int]? {
    let kind = Array(storage[0..<min(8, storage.count)])
    guard storage.count >= headerSize, kind == magic || kind == wordsMagic || kind == uncheckedMagic else {
      return nil
    }
    let count = Int(UInt32(littleEndian: storage.loadUnaligned(fromByteOffset: 28, as: UInt32.self)))
    // A record takes at least its fixed part and a path's NUL: a count the file cannot hold is damage.
    guard count <= (storage.count - headerSize) / (fixedSize + 1) else { return nil }
    var offsets: [Int] = []
    offsets.reserveCapacity(count)
    var offset = headerSize
    while offset < storage.count {
      let pathStart = offset + fixedSize
      guard pathStart < storage.count,
        let end = memchr(storage.baseAddress! + pathStart, 0, storage.count - pathStart)
      else { return nil }
      offsets.append(offset)
      offset = UnsafeRawPointer(end) - UnsafeRawPointer(storage.baseAddress!) + 1
    }
    return offsets.count == count ? offsets : nil
  }

  /// A state over `storage` when it is well formed and in strict path order. The state then owns it: memory
  /// is deallocated with the state, a file mapped (`mapping`) unmapped once nothing holds it. On `nil` the
  /// caller keeps it.
  private static func parse(_ storage: UnsafeMutableRawBufferPointer, mapping: MappedFile? = nil) -> SnapshotState? {
    guard let offsets = recordOffsets(storage) else { return nil }
    for (previous, next) in zip(offsets, offsets.dropFirst())
    where strcmp(pathAt(storage, previous), pathAt(storage, next)) >= 0 {
      return nil
    }
    return SnapshotState(
      tree: Oid(bytes: UnsafeRawBufferPointer(rebasing: storage[8..<28])), storage: storage, offsets: offsets,
      mapping: mapping)
  }

  private static func append(
    _ bytes: inout [UInt8], mode: UInt32, skipWorktree: Bool, id: Oid, stat: RecordedStat, path: (inout [UInt8]) -> Void
  ) {
    func put<T: FixedWidthInteger>(_ value: T) {
      withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
    put(mode)
    put(UInt32(skipWorktree ? 1 : 0))
    put(stat.size)
    put(stat.inode)
    put(stat.mtimeSeconds)
    put(stat.mtimeNanoseconds)
    put(stat.ctimeSeconds)
    put(stat.ctimeNanoseconds)
    id.withBytes { bytes.append(contentsOf: $0) }
    path(&bytes)
    bytes.append(0)
  }

  // MARK: - Saving

  /// Saves the state with changes applied: `replaced` records by position, `removed` positions dropped,
  /// `added` records (paths not held yet) merged in, and `tree` as the tree they form. Written to a
  /// temporary file and renamed, so a reader never sees half a state; failing to save only costs the
  /// next checkpoint some hashing. Returns the version of the file written (what a file-system monitor's
  /// token is kept with), `nil` when the state was not saved.
  @discardableResult
  func save(to path: String, tree: Oid, replaced: [Int: Record], removed: Set<Int>, added: [Record]) -> FileVersion? {
    // One buffer from the header to the checksum, written as it is: the state of a large tree is megabytes,
    // and every copy of it showed (11 MB at 100,000 files).
    var body: [UInt8] = []
    body.reserveCapacity(storage.count + added.count * 128 + Self.checksumSize)
    body += Self.magic
    tree.withBytes { body.append(contentsOf: $0) }
    body += [0, 0, 0, 0]  // the record count, set once known
    var count: UInt32 = 0
    // Each newcomer's path bytes, NUL-terminated, in byte order (strcmp's, the records' order).
    let newcomers = added.map { record -> ([UInt8], Record) in
      var bytes = RawPath.bytes(record.path)
      bytes.append(0)
      return (bytes, record)
    }.sorted { $0.0.lexicographicallyPrecedes($1.0) }
    var next = 0
    /// `bytes`: the path's bytes with their NUL, when known already.
    func appendRecord(_ record: Record, bytes: [UInt8]? = nil) {
      let pathBytes = bytes.map { Array($0.dropLast()) } ?? RawPath.bytes(record.path)
      Self.append(&body, mode: record.mode, skipWorktree: record.skipWorktree, id: record.id, stat: record.stat) {
        $0.append(contentsOf: pathBytes)
      }
      count += 1
    }
    func precedes(_ bytes: [UInt8], _ current: UnsafePointer<CChar>) -> Bool {
      bytes.withUnsafeBufferPointer { buffer in
        strcmp(UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self), current) < 0
      }
    }
    for position in 0..<offsets.count {
      let current = pathPointer(position)
      while next < newcomers.count, precedes(newcomers[next].0, current) {
        appendRecord(newcomers[next].1, bytes: newcomers[next].0)
        next += 1
      }
      if removed.contains(position) { continue }
      if let record = replaced[position] {
        appendRecord(record)
      } else {
        let start = offsets[position]
        let end = start + Self.fixedSize + strlen(current) + 1
        body.append(contentsOf: UnsafeRawBufferPointer(rebasing: storage[start..<end]))
        count += 1
      }
    }
    for (bytes, record) in newcomers[next...] { appendRecord(record, bytes: bytes) }

    withUnsafeBytes(of: count.littleEndian) { count in
      for index in 0..<4 { body[Self.headerSize - 4 + index] = count[index] }
    }
    let checksum = body.withUnsafeBytes { StableHash.xxh64($0) }
    withUnsafeBytes(of: checksum.littleEndian) { body.append(contentsOf: $0) }
    // The version this process wrote, whoever saves after it.
    return try? FileReplacement.write(body, to: path)
  }
}

@available(*, unavailable)
extension SnapshotState: Sendable {}
