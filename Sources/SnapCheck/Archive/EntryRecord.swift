/// A manifest entry as bytes, for ``ManifestIndex``'s temporary file: only this process reads
/// them back, so the layout is plain (little-endian fixed-width fields, lengths before
/// variable parts) and carries no version.
///
/// path length (4), path, kind (1), status (1), mode (4), mtime seconds (8) and nanoseconds
/// (4), size (8), symlink target length (4, all ones for none) and target, chunk count (4),
/// then per chunk: offset (8), length (4), digest (32).
enum EntryRecord {
    static func encode(_ entry: TreeEntry, into output: inout [UInt8]) {
        func append<T: FixedWidthInteger>(_ value: T) {
            withUnsafeBytes(of: value.littleEndian) { output.append(contentsOf: $0) }
        }
        append(UInt32(entry.path.count))
        output.append(contentsOf: entry.path)
        // Every value is in its type's allCases: the index is always found.
        append(UInt8(FileKind.allCases.firstIndex(of: entry.kind)!))
        append(UInt8(TreeEntry.Status.allCases.firstIndex(of: entry.status)!))
        append(entry.mode)
        append(entry.modificationTime.seconds)
        append(entry.modificationTime.nanoseconds)
        append(entry.size)
        if let target = entry.symlinkTarget {
            append(UInt32(target.count))
            output.append(contentsOf: target)
        } else {
            append(UInt32.max)
        }
        append(UInt32(entry.chunks.count))
        for chunk in entry.chunks {
            append(chunk.offset)
            append(UInt32(chunk.length))
            output.append(contentsOf: chunk.digest.bytes)
        }
    }

    /// The entry `encode(_:into:)` wrote as `record`.
    static func decode(_ record: [UInt8]) -> TreeEntry {
        record.withUnsafeBytes { bytes in
            var position = 0
            func read<T: FixedWidthInteger>(_: T.Type) -> T {
                defer { position += MemoryLayout<T>.size }
                return T(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: T.self))
            }
            func take(_ count: Int) -> [UInt8] {
                defer { position += count }
                return Array(bytes[position..<(position + count)])
            }
            let path = take(Int(read(UInt32.self)))
            let kind = FileKind.allCases[Int(read(UInt8.self))]
            let status = TreeEntry.Status.allCases[Int(read(UInt8.self))]
            let mode = read(UInt32.self)
            let time = FileTime(seconds: read(Int64.self), nanoseconds: read(UInt32.self))
            let size = read(UInt64.self)
            let targetLength = read(UInt32.self)
            let target = targetLength == UInt32.max ? nil : take(Int(targetLength))
            let count = Int(read(UInt32.self))
            var chunks: [Chunk] = []
            chunks.reserveCapacity(count)
            for _ in 0..<count {
                let offset = read(UInt64.self)
                let length = Int(read(UInt32.self))
                let digest = Digest(bytes: UnsafeRawBufferPointer(rebasing: bytes[position..<(position + Digest.byteCount)]))
                position += Digest.byteCount
                chunks.append(Chunk(offset: offset, length: length, digest: digest))
            }
            return TreeEntry(
                path: path, kind: kind, mode: mode, modificationTime: time, size: size, symlinkTarget: target,
                chunks: chunks, status: status)
        }
    }
}
