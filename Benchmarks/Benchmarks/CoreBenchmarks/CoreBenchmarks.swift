import Benchmark
import Foundation
import SnapCheck
import SystemPackage

/// Deterministic pseudo-random bytes (xorshift64*), so every run hashes the same data.
func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var state = seed | 1
    var bytes = [UInt8](repeating: 0, count: count)
    bytes.withUnsafeMutableBytes { raw in
        let words = raw.bindMemory(to: UInt64.self)
        for index in words.indices {
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            words[index] = state &* 0x2545_F491_4F6C_DD1D
        }
    }
    return bytes
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .peakMemoryResident],
        timeUnits: .microseconds,
        maxDuration: .seconds(10),
        maxIterations: 20
    )

    // SHA-256 through the EVP wrapper over 64 MiB, in 1 MiB updates.
    let sha256Input = randomBytes(64 << 20, seed: 1)
    Benchmark("SHA-256 64 MiB") { benchmark in
        let hasher = SHA256()
        for _ in benchmark.scaledIterations {
            sha256Input.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    hasher.update(UnsafeRawBufferPointer(rebasing: raw[offset..<min(raw.count, offset + (1 << 20))]))
                    offset += 1 << 20
                }
            }
            blackHole(hasher.finalize())
        }
    }

    // The FastCDC 2020 cut loop alone over 256 MiB of random bytes, snapcheck's defaults.
    let cutInput = randomBytes(256 << 20, seed: 2)
    Benchmark("FastCDC cut 256 MiB") { benchmark in
        let cdc = FastCDC(.default)
        for _ in benchmark.scaledIterations {
            cutInput.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    offset += cdc.cutPoint(in: UnsafeRawBufferPointer(rebasing: raw[offset...]))
                }
            }
        }
    }

    // Streaming chunk + SHA-256 of a 1 GiB file (written once, then read from page cache).
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("snapcheck-bench-1g.bin")
    if !FileManager.default.fileExists(atPath: file.path) {
        let handle = try! FileHandle(forWritingTo: { FileManager.default.createFile(atPath: file.path, contents: nil); return file }())
        for block in 0..<16 { handle.write(Data(randomBytes(64 << 20, seed: UInt64(block + 10)))) }
        try! handle.close()
    }
    Benchmark("chunk+hash file 1 GiB", configuration: .init(maxIterations: 5)) { benchmark in
        let chunker = StreamingChunker(parameters: .default)
        for _ in benchmark.scaledIterations {
            var chunks = 0
            _ = try chunker.chunkFile(at: FilePath(file.path)) { _ in chunks += 1 }
            blackHole(chunks)
        }
    }
}
