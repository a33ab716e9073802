import SnapCheck
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// A scratch folder in memory (tmpfs), one per fuzzing process.
private let scratch: String = {
    let path = "/dev/shm/snapcheck-fuzz-\(getpid())"
    mkdir(path, 0o700)
    atexit { system("rm -rf /dev/shm/snapcheck-fuzz-\(getpid())") }
    return path
}()

/// libFuzzer's driver (compiler-rt), started from `main` so that SwiftPM's own entry point stays.
@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// Runs libFuzzer with the process's arguments.
func runFuzzer(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in
        fuzzManifestReader(data ?? UnsafePointer(bitPattern: 1)!, size)
    }
}

/// One input is one manifest (plain or gzip), read to its end.
///
/// The reader must either accept the input or throw a `SnapCheckError` with a one-line
/// message free of control characters; a trap, a crash, a hang or a leak is what libFuzzer
/// reports. An accepted manifest is also written again and read back: same entries, same
/// snapshot id.
func fuzzManifestReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let path = scratch + "/input"
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    precondition(descriptor >= 0, "cannot create \(path)")
    var written = 0
    while written < size {
        let count = write(descriptor, data + written, size - written)
        precondition(count > 0, "write failed")
        written += count
    }
    close(descriptor)
    do {
        let reader = try ManifestReader(path: FilePath(path))
        var entries: [TreeEntry] = []
        while let entry = try reader.next() { entries.append(entry) }
        checkRoundTrip(entries, parameters: reader.parameters, expected: reader.summary!)
    } catch {
        precondition(!error.description.contains("\n"), "multi-line error: \(error.description)")
        precondition(!error.description.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F },
                     "control character in an error message: \(error.description.debugDescription)")
    }
    return 0
}

/// Writes `entries` as a new manifest and reads it back: same entries, same snapshot id.
private func checkRoundTrip(_ entries: [TreeEntry], parameters: ChunkingParameters, expected: ManifestSummary) {
    let path = scratch + "/copy"
    do {
        let writer = try ManifestWriter(path: FilePath(path), parameters: parameters)
        for entry in entries { try writer.append(entry) }
        let summary = try writer.finish()
        precondition(summary.snapshotID == expected.snapshotID, "snapshot id changed in a round trip")
        let reader = try ManifestReader(path: FilePath(path))
        var again: [TreeEntry] = []
        while let entry = try reader.next() { again.append(entry) }
        precondition(again == entries, "entries changed in a round trip")
    } catch {
        preconditionFailure("an accepted manifest did not round-trip: \(error)")
    }
}
