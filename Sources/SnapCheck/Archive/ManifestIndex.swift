#if canImport(Glibc)
import Glibc
#endif

/// A manifest's entries, found by path in any order, for targets whose entries do not come in
/// tree order (an archive's members come in the order they were written).
///
/// Reading the manifest (whole, and validated: trailer, counts, snapshot id) writes each entry,
/// chunks included, to a temporary file that is unlinked at once; memory keeps 20 bytes an
/// entry (a 64-bit hash of the path, the entry's number, where its record starts), so a
/// manifest of a million entries costs 20 MB, whatever the number of chunks. A lookup is a
/// binary search and one `pread`.
final class ManifestIndex {
    /// The manifest's chunking parameters.
    let parameters: ChunkingParameters
    /// The manifest's totals and snapshot id.
    let summary: ManifestSummary
    /// Path hashes, sorted, and the entry numbers they belong to.
    private let hashes: [UInt64]
    private let ordinals: [UInt32]
    /// Where each entry's record starts in the file; one more at the end.
    private let offsets: [UInt64]
    private let descriptor: Int32

    /// Reads `reader` to its end, showing each entry to `tally` too, when given.
    ///
    /// - Throws: what the reader throws (an invalid manifest), or ``SnapCheckError/Code/io``
    ///   when the temporary file cannot be written.
    convenience init(_ reader: ManifestReader, tally: inout DirectoryTally?) throws(SnapCheckError) {
        var counted = tally
        defer { tally = counted }
        try self.init(parameters: reader.parameters) { (add) throws(SnapCheckError) in
            while let entry = try reader.next() {
                counted?.expect(entry)
                try add(entry)
            }
            // next() returned nil: the trailer was checked and the summary set.
            return reader.summary!
        }
    }

    /// Indexes the entries that `fill` hands to `add` (a tree being recorded, say); `fill`
    /// returns their totals.
    init(
        parameters: ChunkingParameters,
        fill: (_ add: (TreeEntry) throws(SnapCheckError) -> Void) throws(SnapCheckError) -> ManifestSummary
    ) throws(SnapCheckError) {
        self.parameters = parameters
        let file = try TemporaryFile.scratch(named: "index", purpose: "the manifest's index")
        descriptor = file.reader
        defer { close(file.writer) }
        let sink = DescriptorSink(descriptor: file.writer, label: PathLabel(describing: "<manifest index>"))
        var keys: [(hash: UInt64, ordinal: UInt32)] = []
        var offsets: [UInt64] = [0]
        var record: [UInt8] = []
        summary = try fill { (entry) throws(SnapCheckError) in
            guard keys.count < Int(UInt32.max) else { throw SnapCheckError(.invalidArgument, "a manifest of more than 4 billion entries") }
            record.removeAll(keepingCapacity: true)
            EntryRecord.encode(entry, into: &record)
            try sink.write(record)
            keys.append((PathHash.of(entry.path), UInt32(keys.count)))
            offsets.append(offsets[offsets.count - 1] + UInt64(record.count))
        }
        try sink.finish()
        keys.sort { $0.hash < $1.hash }
        hashes = keys.map(\.hash)
        ordinals = keys.map(\.ordinal)
        self.offsets = offsets
    }

    deinit { if descriptor >= 0 { close(descriptor) } }

    /// The number of entries.
    var count: Int { offsets.count - 1 }

    /// The entry at `path`, and its number, if the manifest has one.
    func lookup(_ path: [UInt8]) throws(SnapCheckError) -> (ordinal: Int, entry: TreeEntry)? {
        let hash = PathHash.of(path)
        var low = 0
        var high = hashes.count
        while low < high {
            let middle = (low + high) / 2
            if hashes[middle] < hash { low = middle + 1 } else { high = middle }
        }
        while low < hashes.count && hashes[low] == hash {
            let ordinal = Int(ordinals[low])
            let entry = try entry(at: ordinal)
            if entry.path == path { return (ordinal, entry) }
            low += 1
        }
        return nil
    }

    /// The entry numbered `ordinal` (manifest order, from 0).
    func entry(at ordinal: Int) throws(SnapCheckError) -> TreeEntry {
        let start = offsets[ordinal]
        var record = [UInt8](repeating: 0, count: Int(offsets[ordinal + 1] - start))
        let result = record.withUnsafeMutableBytes { Syscall.preadAll(descriptor, into: $0, at: start) }
        guard case .success(record.count) = result else {
            throw SnapCheckError(.io, "cannot read back the manifest's index", at: PathLabel(describing: "<manifest index>"))
        }
        return EntryRecord.decode(record)
    }
}
