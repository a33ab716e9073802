import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// The path a command-line argument names, byte for byte.
///
/// Swift decodes `argv` into `String`s, repairing bytes that are not UTF-8, so a directory
/// named in Latin-1 would be lost on the way through the argument parser. The raw argument is
/// found again in `argv` (the one whose decoded form is this string) and its bytes are used.
func argumentPath(_ argument: String) -> FilePath {
    let count = Int(CommandLine.argc)
    for index in 1..<max(count, 1) {
        guard let raw = CommandLine.unsafeArgv[index] else { continue }
        if String(cString: raw) == argument { return FilePath(platformString: raw) }
    }
    return FilePath(argument)
}
