#if canImport(Glibc)
import Glibc
#endif

/// The files a ``Prefetcher`` opens for the workers, between the request and the worker that
/// takes the descriptor: how many requests wait for each, and whether it is being opened, open,
/// or no longer wanted because its worker came first and opened it itself.
///
/// So no descriptor is left behind for a file nobody will take (a kept file a worker already
/// read would hold a descriptor, and a place under the limit, until the end), and a worker
/// that comes while its file is being opened waits for it rather than asking the storage a
/// second time. At most `limit` files are kept open or being opened; each holds its directory.
final class OpenedAhead: Sendable {
    /// A file, by directory and name.
    struct Key: Hashable, Sendable {
        /// Held, not only named: while a file is tracked, its directory cannot go away and
        /// another take its place in memory (a key by address alone could then hand a worker a
        /// file of the same name in another directory).
        var directory: DirectoryHandle
        var name: ArraySlice<UInt8>

        static func == (left: Key, right: Key) -> Bool {
            left.directory === right.directory && left.name == right.name
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(ObjectIdentifier(directory))
            hasher.combine(name)
        }
    }

    /// An open descriptor and what `fstat` said of it.
    struct File: @unchecked Sendable {
        // @unchecked: `stat` is a plain C struct of numbers, imported without Sendable.
        var descriptor: Int32
        var status: stat
    }

    /// What a thread that has taken a request is to do with it.
    enum Claim {
        /// Open the file and keep it for the worker (then ``finish(_:with:)``).
        case keep
        /// Open it to read it ahead, then close it: the limit is reached, or the file is kept
        /// already (another range of the same file).
        case readOnly
        /// Nothing: its worker came first.
        case skip
    }

    private enum State {
        case waiting, opening, unwanted
        case open(File)
    }

    private struct Slot {
        var queued = 0
        var state = State.waiting
    }

    private struct Table {
        var slots: [Key: Slot] = [:]
        var kept = 0

        /// Puts `slot` back, or drops it when no request waits for it and it holds nothing.
        mutating func store(_ slot: Slot, at key: Key) {
            let idle: Bool
            switch slot.state {
            case .waiting, .unwanted: idle = true
            case .opening, .open: idle = false
            }
            slots[key] = slot.queued == 0 && idle ? nil : slot
        }
    }

    private let table = ConditionLock(Table())
    private let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    /// Counts a request for `key` just queued.
    func queued(_ key: Key) {
        table.withLock { $0.slots[key, default: Slot()].queued += 1 }
    }

    /// Takes back the count of a request that could not be queued after all.
    func dropped(_ key: Key) {
        table.withLock { table in
            guard var slot = table.slots[key] else { return }
            slot.queued -= 1
            table.store(slot, at: key)
        }
    }

    /// Takes a queued request for `key` off the count and says what to do with it.
    func claim(_ key: Key) -> Claim {
        table.withLock { table -> Claim in
            guard var slot = table.slots[key] else { return .readOnly }
            slot.queued -= 1
            defer { table.store(slot, at: key) }
            switch slot.state {
            case .unwanted:
                return .skip
            case .waiting where table.kept < limit:
                slot.state = .opening
                table.kept += 1
                return .keep
            case .waiting, .opening, .open:
                return .readOnly
            }
        }
    }

    /// Ends a ``Claim/keep``: the file opened for the worker, or nil if it could not be.
    func finish(_ key: Key, with file: File?) {
        table.withLock { table in
            guard var slot = table.slots[key] else { return }
            if let file {
                slot.state = .open(file)
            } else {
                slot.state = .waiting
                table.kept -= 1
            }
            table.store(slot, at: key)
        }
    }

    /// The file opened for `key`, if there is one (waiting for it while it is being opened);
    /// the caller owns its descriptor from then on. When there is none, the requests for it
    /// that still wait are skipped: the worker reads the file itself.
    func take(_ key: Key) -> File? {
        table.withLock(waitingUntil: { table in
            guard case .opening = table.slots[key]?.state else { return true }
            return false
        }) { table -> File? in
            guard var slot = table.slots[key] else { return nil }
            var taken: File?
            if case .open(let file) = slot.state {
                // Other requests for the file (other ranges of it) may keep it again for
                // their workers.
                taken = file
                table.kept -= 1
                slot.state = .waiting
            } else {
                slot.state = .unwanted
            }
            table.store(slot, at: key)
            return taken
        }
    }

    /// Closes every descriptor not taken. Call it once no thread uses the table any more.
    func closeAll() {
        let left = table.withLock { table -> [Int32] in
            defer { table = Table() }
            return table.slots.values.compactMap { slot in
                guard case .open(let file) = slot.state else { return nil }
                return file.descriptor
            }
        }
        for descriptor in left { close(descriptor) }
    }
}
