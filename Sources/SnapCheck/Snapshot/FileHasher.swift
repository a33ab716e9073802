#if canImport(Glibc)
import Glibc
#endif

/// Reads one regular file found by the walk and records its chunks: one worker's job for one
/// file.
struct FileHasher {
    let chunker: StreamingChunker
    /// Threads that help hash the chunks of large files, when there are other cores.
    let helpers: HashHelpers?
    /// Stops reading when the job is cancelled, and counts the bytes read.
    var monitor: ReadMonitor? = nil
    /// Files opened ahead on slow storage, taken instead of opening them again.
    var prefetcher: Prefetcher? = nil
    /// Whether a file's chunks are kept as a ``ChunkList`` (for a run that writes them to a
    /// manifest) rather than in the entry.
    var keepsChunksCompact = false

    /// Files at least this large are hashed with the helpers.
    static let helpedSize = 32 << 20

    /// The entry with its chunks, or marked unreadable or changed, and the problem to report.
    ///
    /// - Parameter afterReading: runs between the last read and the final `fstat` (a seam for
    ///   tests, which change the file there to see it recorded as changed without a race).
    func record(_ walked: WalkedEntry, afterReading: (() -> Void)? = nil) -> (RecordedEntry, SnapCheckError?) {
        var entry = walked.entry
        let label = { PathLabel(bytes: walked.entry.path) }  // made only if an error needs it
        let file: RegularFile
        do {
            file = try RegularFile.open(walked: walked.name, in: walked.directory, prefetcher: prefetcher, label: label())
        } catch {
            entry.status = .unreadable
            return (RecordedEntry(entry), error)
        }
        let before = file.status
        entry.mode = UInt32(before.st_mode & 0o7777)
        entry.modificationTime = FileTime(before.st_mtim)
        var chunks: [Chunk] = []
        var compact = ChunkList()
        // About as many as the file will have: growing the list by doubling would hold up to
        // three times its size at once (a file of a million chunks: 36 or 48 MB of them).
        let expected = Int(clamping: max(before.st_size, 0) / off_t(chunker.cdc.parameters.avgSize)) + 1
        if keepsChunksCompact { compact.reserveCapacity(expected) } else { chunks.reserveCapacity(expected) }
        let total: UInt64
        do {
            // Stop at the size fstat reported instead of reading again to see the end of the
            // file: the fstat after reading catches a file that grew. (A size of 0 is read
            // anyway: some special files report 0 and have content.)
            total = try chunker.chunk(
                fileDescriptor: file.descriptor, label: label,
                expectedSize: before.st_size > 0 ? UInt64(before.st_size) : nil,
                helpers: before.st_size >= Self.helpedSize ? helpers : nil, monitor: monitor
            ) { chunk in
                if keepsChunksCompact { compact.append(chunk) } else { chunks.append(chunk) }
            }
        } catch {
            entry.status = .unreadable
            return (RecordedEntry(entry), error)
        }
        entry.chunks = chunks
        entry.size = total
        var recorded = RecordedEntry(entry, chunkList: compact)
        afterReading?()
        let after = Syscall.fstat(file.descriptor)
        if case .success(let after) = after,
           after.st_size == before.st_size, UInt64(exactly: before.st_size) == total,
           FileTime(after.st_mtim) == entry.modificationTime {
            return (recorded, nil)
        }
        recorded.entry.status = .changed
        return (recorded, SnapCheckError(.changedWhileReading, "changed while it was read; recorded as changed", at: label()))
    }
}
