import ArgumentParser
import SnapCheck

/// `snapcheck chunk FILE`: the FastCDC chunks of one file, a window onto the core.
struct ChunkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chunk",
        abstract: "Print the content-defined chunks of one file (offset, length, SHA-256).",
        discussion: """
            Sizes take an optional binary suffix: K (KiB), M (MiB) or G (GiB). The defaults are \
            the ones snapcheck uses for manifests. A file of one chunk has the same digest as \
            `sha256sum` prints for it.
            """
    )

    @Argument(help: "The regular file to chunk.")
    var file: String

    @OptionGroup var chunking: ChunkingOptions

    @Flag(help: "Print JSON Lines: one object per chunk, then a summary object.")
    var json = false

    func run() throws {
        let parameters = try chunking.parameters()
        let chunker = StreamingChunker(parameters: parameters)
        var count = 0
        let total = try chunker.chunkFile(at: argumentPath(file)) { chunk in
            count += 1
            if json {
                Output.line(JSONObject()
                    .field("type", "chunk").field("offset", chunk.offset)
                    .field("length", chunk.length).field("sha256", chunk.digest.hex).text)
            } else {
                Output.line("\(chunk.offset) \(chunk.length) \(chunk.digest.hex)")
            }
        }
        if json {
            Output.line(JSONObject()
                .field("type", "summary").field("path", file).field("bytes", total)
                .field("chunks", count).field("parameters", parameters.description).text)
        } else {
            Output.note("\(count) chunks, \(total) bytes (\(parameters))")
        }
    }
}

/// The chunking options shared by the commands that chunk files.
struct ChunkingOptions: ParsableArguments {
    @Option(name: .customLong("min"), help: "Minimum chunk size (default 256K).")
    var minSize: ByteSize = ByteSize(ChunkingParameters.default.minSize)

    @Option(name: .customLong("avg"), help: "Average (target) chunk size (default 1M).")
    var avgSize: ByteSize = ByteSize(ChunkingParameters.default.avgSize)

    @Option(name: .customLong("max"), help: "Maximum chunk size (default 4M).")
    var maxSize: ByteSize = ByteSize(ChunkingParameters.default.maxSize)

    @Option(help: "Normalization level, 0 to 3 (default 1).")
    var level: Int = ChunkingParameters.default.level

    /// The validated parameters.
    func parameters() throws(SnapCheckError) -> ChunkingParameters {
        try ChunkingParameters(minSize: minSize.bytes, avgSize: avgSize.bytes, maxSize: maxSize.bytes, level: level)
    }
}
