import ArgumentParser
import SnapCheck
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// A verify target that is an archive: `-` (stdin) or a path to a regular file.
enum ArchiveTarget {
    case standardInput
    case file(FilePath)

    /// The archive `argument` names; nil when it names a directory (or anything else, which
    /// the directory check then refuses with its own message).
    init?(_ argument: String) throws {
        if argument == "-" {
            self = .standardInput
            return
        }
        let path = argumentPath(argument)
        var info = stat()
        guard stat(path.string, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        self = .file(path)
    }

    /// Verifies the archive against `manifest`.
    func verify(
        manifest: FilePath, layout: ArchiveLayout, options: VerifyOptions,
        finding: (Finding) -> Void, progress: ((VerificationProgress) -> Void)?
    ) throws -> VerificationReport {
        switch self {
        case .standardInput:
            try Verifier.verify(
                manifest: manifest, archiveDescriptor: .standardInput, layout: layout, options: options, finding: finding,
                progress: progress)
        case .file(let path):
            try Verifier.verify(manifest: manifest, archive: path, layout: layout, options: options, finding: finding, progress: progress)
        }
    }
}

/// `--strip-components N` and `--prefix P`: how an archive's member names map to manifest paths.
struct ArchiveLayoutOptions: ParsableArguments {
    @Option(help: ArgumentHelp("For an archive: drop N leading components of every member name.", valueName: "N"))
    var stripComponents: Int?

    @Option(help: ArgumentHelp(
        "For an archive made from a parent directory: members must be under PATH, which is dropped.", valueName: "PATH"))
    var prefix: String?

    func validate() throws {
        if let stripComponents, stripComponents < 0 { throw ValidationError("--strip-components must be 0 or more") }
    }

    /// The layout these options ask for.
    var layout: ArchiveLayout {
        ArchiveLayout(stripComponents: stripComponents ?? 0, prefix: prefix.map { Array($0.utf8) })
    }

    /// Exit 2 when the options were given for a directory, where they mean nothing.
    func refuseForDirectory() throws {
        if stripComponents != nil || prefix != nil {
            throw SnapCheckError(.invalidArgument, "--strip-components and --prefix are for archives; TARGET is a directory")
        }
    }
}
