import Synchronization
import SystemPackage

/// The number of regular files and their bytes in what a job will go through, counted on a
/// thread of its own while the job runs, for progress totals.
final class BackgroundTotals {
    /// Files and bytes.
    typealias Totals = (files: Int, bytes: UInt64)

    private final class State: Sendable {
        let value = Mutex<(result: Totals?, stopped: Bool)>((nil, false))
        var stopped: Bool { value.withLock { $0.stopped } }
    }

    private let state = State()
    private let thread: ThreadHandle

    /// Starts `count` on a new thread; it should give up (return nil) once `stopped()` is true.
    private init(_ count: @escaping @Sendable (_ stopped: () -> Bool) -> Totals?) {
        let state = self.state
        thread = ThreadHandle {
            let totals = count { state.stopped }
            state.value.withLock { $0.result = totals }
        }
    }

    /// Counts the tree at `root` with a stat-only walk.
    static func walking(_ root: FilePath, options: WalkOptions) -> BackgroundTotals {
        BackgroundTotals { stopped in
            guard let walker = try? TreeWalker(root: root, options: options) else { return nil }
            var totals: Totals = (0, 0)
            while let walked = walker.next() {
                if stopped() { return nil }
                if walked.entry.kind == .file {
                    totals.files += 1
                    totals.bytes = totals.bytes.saturatingAdd(walked.entry.size)
                }
            }
            return totals
        }
    }

    /// Reads the manifest at `path` a second time for its totals (the ones the verdict rests on
    /// come from the job's own read).
    static func reading(_ manifest: FilePath) -> BackgroundTotals {
        BackgroundTotals { stopped in
            guard let reader = try? ManifestReader(path: manifest) else { return nil }
            var totals: Totals = (0, 0)
            while let entry = try? reader.next() {
                if stopped() { return nil }
                if entry.kind == .file {
                    totals.files += 1
                    totals.bytes = totals.bytes.saturatingAdd(entry.size)
                }
            }
            return reader.summary == nil ? nil : totals
        }
    }

    /// The totals, once counted.
    var result: Totals? { state.value.withLock { $0.result } }

    /// Stops the count (if it still runs) and waits for its thread.
    func stop() {
        state.value.withLock { $0.stopped = true }
        thread.join()
    }
}
