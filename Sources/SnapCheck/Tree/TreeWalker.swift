import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// An entry found by ``TreeWalker``, with what the hashing stage needs to open it safely.
struct WalkedEntry: Sendable {
    /// The entry as recorded (no chunks yet).
    var entry: TreeEntry
    /// The directory that holds it.
    var directory: DirectoryHandle
    /// Its name in that directory (the end of the entry's path).
    var name: ArraySlice<UInt8>
    /// Device and inode from the walk's `lstat`, to recognise the same file when it is opened.
    var device: UInt64
    var inode: UInt64
    /// The status change time (ctime) from the same `lstat`: with the others, what tells an
    /// unchanged file (``PreviousManifest``).
    var changeTime = FileTime(seconds: 0, nanoseconds: 0)
    /// Why the entry is recorded as unreadable, if it is.
    var problem: SnapCheckError?
}

/// Walks a directory tree depth-first, yielding every entry in ``TreeOrder``.
///
/// Each directory is listed in full (`readdir`) and its names sorted so that the walk's order
/// is the manifest's; each name is examined with `fstatat`, without following links, when the
/// walk comes to it (one gone by then is no longer part of the tree; one whose type changed
/// between directory and not is reported unreadable: its place in the order is no longer
/// sure). The walk never follows a symlink (it records the link and its target), never leaves
/// the root, opens directories relative to their parent (`openat`, `O_NOFOLLOW`, `O_NOATIME`
/// where allowed), and never opens anything else. Memory is one listing per directory on the
/// current path, independent of the number of files in the tree.
///
/// A directory that cannot be listed is recorded with status ``TreeEntry/Status/unreadable``
/// and the walk goes on.
final class TreeWalker {
    private struct Frame {
        /// The open directory; let go of by frames more than ``TreeWalker/openLevels`` below the
        /// top (the entries found in it keep it open while they need it) and opened again
        /// through `..` when the walk comes back to it.
        var directory: DirectoryHandle?
        /// The device and inode the directory had when it was listed.
        var device: UInt64, inode: UInt64
        /// The length of its path with a trailing `/` (of ``TreeWalker/prefix`` while it is
        /// on top): one path is kept for the whole stack, so memory is linear in the depth.
        var prefixLength: Int
        var children: DirectoryListing
        var index = 0
        /// Why the directory could not be opened again, if it could not: its remaining
        /// entries are then reported unreadable, and name as their directory the one the walk
        /// came back from (nothing is opened through it: they carry a problem).
        var lost: (problem: SnapCheckError, placeholder: DirectoryHandle)?
    }

    /// How many directories of the path being walked stay open: a deep tree needs no more
    /// descriptors than this, whatever its depth: 32, or an eighth of the process's limit on
    /// open files if that is less (`ulimit -n` may be as low as 256, or lower).
    let openLevels = max(4, min(32, Int(clamping: OpenFileLimit.current ?? 1024) / 8))

    private var stack: [Frame] = []
    /// The root directory, open for the whole walk.
    private let root: DirectoryHandle
    /// The path of the directory on top of the stack, with a trailing `/` (empty at the root).
    private var prefix: [UInt8] = []
    private let rootDevice: UInt64
    private let options: WalkOptions
    private let excludes: [Exclusion]
    /// While set, entries before this place are passed over (directories that hold it are
    /// still yielded and entered): a shard's walk starts where its range does.
    private var skipBefore: (path: [UInt8], isDirectory: Bool)?

    /// Opens the root (following a symlink given as the root itself).
    ///
    /// - Throws: ``SnapCheckError`` when the root does not exist, is not a directory or cannot
    ///   be listed.
    init(root: FilePath, options: WalkOptions = WalkOptions()) throws(SnapCheckError) {
        self.options = options
        excludes = options.excludes.map(Exclusion.init)
        let label = PathLabel(root)
        let (info, handle) = try withCString(root.bytes) { (path) throws(SnapCheckError) -> (stat, DirectoryHandle) in
            var info = stat()
            if case .failure(let error) = Syscall.retrying({ stat(path, &info) }) {
                throw SnapCheckError(.io, "cannot open directory", at: label, errno: error.code)
            }
            guard info.st_mode & S_IFMT == S_IFDIR else {
                throw SnapCheckError(.wrongFileType, "not a directory (\(FileKind.word(forMode: info.st_mode)))", at: label)
            }
            switch DirectoryHandle.open(path, in: AT_FDCWD, followSymlink: true) {
            case .success(let opened): return (info, opened)
            case .failure(let error): throw SnapCheckError(.io, "cannot open directory", at: label, errno: error.code)
            }
        }
        rootDevice = UInt64(info.st_dev)
        self.root = handle
        switch listing(of: handle, prefix: []) {
        case .success(let children):
            stack = [Frame(directory: handle, device: rootDevice, inode: UInt64(info.st_ino), prefixLength: 0, children: children)]
        case .failure(let error): throw SnapCheckError(.io, "cannot list directory", at: label, errno: error.code)
        }
    }

    /// Starts the walk at the place of `path` in tree order: entries before it are passed over
    /// without being entered, except the directories on the way to it, which are yielded as
    /// usual. Call before the first ``next()``.
    func skip(before path: [UInt8], isDirectory: Bool) {
        skipBefore = (path, isDirectory)
    }

    /// Whether the tree holds something other than a directory at `path` (relative to the
    /// root, found as the walk would find it: through directories only, never through a
    /// symlink, and not excluded).
    func hasNonDirectory(at path: [UInt8]) -> Bool {
        Self.hasNonDirectory(at: path, in: root, excludes: excludes)
    }

    /// ``hasNonDirectory(at:)`` for the tree at `root`, without walking it (it is opened, not
    /// listed).
    static func hasNonDirectory(at path: [UInt8], root: FilePath, options: WalkOptions) -> Bool {
        let opened = withCString(root.bytes) { DirectoryHandle.open($0, in: AT_FDCWD, followSymlink: true) }
        guard case .success(let handle) = opened else { return false }
        return hasNonDirectory(at: path, in: handle, excludes: options.excludes.map(Exclusion.init))
    }

    private static func hasNonDirectory(at path: [UInt8], in root: DirectoryHandle, excludes: [Exclusion]) -> Bool {
        guard !path.isEmpty else { return false }
        let names = path.split(separator: 0x2F, omittingEmptySubsequences: false).map(Array.init)
        var directory = root
        for (index, name) in names.enumerated() {
            if isExcluded(name: name, path: { Array(names[...index].joined(separator: [0x2F])) }, excludes) { return false }
            var info = stat()
            let found = withCString(name) { cName in
                Syscall.retrying { fstatat(directory.descriptor, cName, &info, AT_SYMLINK_NOFOLLOW) }
            }
            guard case .success = found else { return false }
            let isDirectory = info.st_mode & S_IFMT == S_IFDIR
            if index == names.count - 1 { return !isDirectory }
            guard isDirectory, case .success(let opened) = withCString(name, { DirectoryHandle.open($0, in: directory.descriptor) }) else {
                return false
            }
            directory = opened
        }
        return false
    }

    /// The next entry in tree order, or nil at the end of the walk.
    func next() -> WalkedEntry? {
        while let top = stack.indices.last {
            guard stack[top].index < stack[top].children.count else {
                let done = stack.removeLast()
                if let parent = stack.last {
                    prefix.removeSubrange(parent.prefixLength...)
                    if parent.directory == nil && parent.lost == nil { reopenTop(from: done) }
                }
                continue
            }
            let index = stack[top].index
            stack[top].index += 1
            let path = stack[top].children.path(index, prefix: prefix)
            let name = path[prefix.count...]
            let listedDirectory = stack[top].children.isDirectory(index)
            if let start = skipBefore {
                if TreeOrder.compare(path, isDirectory: listedDirectory, start.path, isDirectory: start.isDirectory) >= 0 {
                    skipBefore = nil
                } else if !(listedDirectory && TreeOrder.isAncestor(path, of: start.path)) {
                    continue
                }
            }
            let listedKind = stack[top].children.listedKind(index) ?? (listedDirectory ? .directory : .file)
            func unexamined(_ problem: SnapCheckError, directory: DirectoryHandle) -> WalkedEntry {
                WalkedEntry(
                    entry: TreeEntry(path: path, kind: listedKind, mode: 0, modificationTime: FileTime(seconds: 0),
                                     symlinkTarget: listedKind == .symlink ? [] : nil, status: .unreadable),
                    directory: directory, name: name, device: 0, inode: 0, problem: problem)
            }
            guard let directory = stack[top].directory else {
                // Its directory could not be opened again (it was moved or replaced while the
                // walk was below it): nothing in it can be examined or read safely.
                let lost = stack[top].lost ?? (
                    SnapCheckError(.io, "cannot open directory again", at: PathLabel(bytes: Array(prefix.dropLast()))), root)
                return unexamined(lost.problem, directory: lost.placeholder)
            }
            var info = stat()
            switch withCString(name, { cName in Syscall.retrying { fstatat(directory.descriptor, cName, &info, AT_SYMLINK_NOFOLLOW) } }) {
            case .failure(let error) where error.code == ENOENT:
                continue  // gone since the listing: no longer part of the tree
            case .failure(let error):
                return unexamined(SnapCheckError(.io, "cannot examine", at: PathLabel(bytes: path), errno: error.code), directory: directory)
            case .success:
                break
            }
            guard (info.st_mode & S_IFMT == S_IFDIR) == listedDirectory else {
                // Replaced by a directory, or a directory replaced, since the listing: its place
                // in the order is no longer where the listing put it.
                let problem = SnapCheckError(.io, "replaced while its directory was walked", at: PathLabel(bytes: path))
                return unexamined(problem, directory: directory)
            }
            let kind = FileKind(mode: info.st_mode) ?? .file
            let entry = TreeEntry(
                path: path, kind: kind, mode: UInt32(info.st_mode) & 0o7777, modificationTime: FileTime(info.st_mtim),
                size: kind == .file ? UInt64(clamping: Int64(info.st_size)) : 0)
            let (device, inode, changeTime) = (UInt64(info.st_dev), UInt64(info.st_ino), FileTime(info.st_ctim))
            var walked = WalkedEntry(
                entry: entry, directory: directory, name: name, device: device, inode: inode, changeTime: changeTime)
            switch walked.entry.kind {
            case .symlink:
                readLink(into: &walked)
            case .directory:
                if options.oneFileSystem && walked.device != rootDevice { break }
                descend(into: &walked)
            default:
                break
            }
            return walked
        }
        return nil
    }

    private func descend(into walked: inout WalkedEntry) {
        let path = walked.entry.path
        let opened = withCString(walked.name) { DirectoryHandle.open($0, in: walked.directory.descriptor) }
        let result = opened.flatMap { handle -> Result<(DirectoryHandle, DirectoryListing), Errno> in
            // The directory we opened must be the one we examined, not one swapped in since.
            switch Syscall.fstat(handle.descriptor) {
            case .success(let info) where UInt64(info.st_ino) == walked.inode && UInt64(info.st_dev) == walked.device:
                return listing(of: handle, prefix: path + [0x2F]).map { (handle, $0) }
            case .success: return .failure(Errno(ESTALE))
            case .failure(let error): return .failure(error)
            }
        }
        switch result {
        case .success(let (handle, children)):
            prefix = path + [0x2F]
            stack.append(Frame(directory: handle, device: walked.device, inode: walked.inode, prefixLength: prefix.count, children: children))
            // Only the nearest levels (and the root) stay open; the others are opened again on
            // the way back.
            if stack.count > openLevels + 1 { stack[stack.count - 1 - openLevels].directory = nil }
        case .failure(let error):
            walked.entry.status = .unreadable
            walked.problem = SnapCheckError(.io, "cannot list directory", at: PathLabel(bytes: walked.entry.path), errno: error.code)
        }
    }

    /// Opens the directory now on top again, through `..` of the one just left (still open),
    /// and checks that it is the directory that was listed.
    private func reopenTop(from child: Frame) {
        let top = stack.count - 1
        guard let below = child.directory else {
            // The directory left was lost itself: so is this one, for the same reason.
            stack[top].lost = child.lost
            return
        }
        let opened = withCString([0x2E, 0x2E]) { DirectoryHandle.open($0, in: below.descriptor) }
        let checked = opened.flatMap { handle -> Result<DirectoryHandle, Errno> in
            switch Syscall.fstat(handle.descriptor) {
            case .success(let info) where UInt64(info.st_ino) == stack[top].inode && UInt64(info.st_dev) == stack[top].device:
                return .success(handle)
            case .success: return .failure(Errno(ESTALE))
            case .failure(let error): return .failure(error)
            }
        }
        switch checked {
        case .success(let handle):
            stack[top].directory = handle
        case .failure(let error):
            let path = Array(prefix.dropLast())
            stack[top].lost = (SnapCheckError(.io, "cannot open directory again", at: PathLabel(bytes: path), errno: error.code), below)
        }
    }

    private func readLink(into walked: inout WalkedEntry) {
        var buffer = [UInt8](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = withCString(walked.name) { name in
            buffer.withUnsafeMutableBufferPointer { target in
                target.withMemoryRebound(to: CChar.self) { readlinkat(walked.directory.descriptor, name, $0.baseAddress!, $0.count) }
            }
        }
        if count < 0 {
            walked.entry.status = .unreadable
            walked.problem = SnapCheckError(.io, "cannot read symlink", at: PathLabel(bytes: walked.entry.path), errno: errno)
            walked.entry.symlinkTarget = []
        } else {
            walked.entry.symlinkTarget = Array(buffer.prefix(count))
            walked.entry.size = UInt64(count)
        }
    }

    /// The children of a directory, examined and sorted, excluded ones left out.
    private func listing(of directory: DirectoryHandle, prefix: [UInt8]) -> Result<DirectoryListing, Errno> {
        let excludes = self.excludes
        return DirectoryListing.list(directory, excluded: excludes.isEmpty ? nil : { name in
            Self.isExcluded(name: name, path: { prefix + name }, excludes)
        })
    }

    /// Whether an entry named `name`, at `path` (made only for a pattern that needs it), is
    /// excluded.
    private static func isExcluded(name: some Collection<UInt8>, path: () -> [UInt8], _ excludes: [Exclusion]) -> Bool {
        for pattern in excludes {
            let matches: Bool
            if pattern.matchesPath {
                matches = withCString(path()) { pattern.matches($0) }
            } else {
                // Most names differ from the pattern in their first byte: no C string, no fnmatch.
                if let first = pattern.literalFirst, name.first != first { continue }
                matches = withCString(name) { pattern.matches($0) }
            }
            if matches { return true }
        }
        return false
    }

    /// An exclusion pattern, prepared once: as a C string, and whether it matches whole paths
    /// (it holds a `/`) or names.
    private struct Exclusion {
        var text: [CChar]
        var matchesPath: Bool
        /// The byte every match starts with, when the pattern starts with an ordinary character.
        var literalFirst: UInt8?

        init(_ pattern: String) {
            matchesPath = pattern.contains("/")
            text = Array((pattern.hasPrefix("/") ? String(pattern.dropFirst()) : pattern).utf8CString)
            let first = UInt8(bitPattern: text[0])
            literalFirst = first == 0 || "*?[\\".utf8.contains(first) ? nil : first
        }

        /// Whether `subject` (a name, or a path for a pattern with a `/`) matches.
        func matches(_ subject: UnsafePointer<CChar>) -> Bool {
            text.withUnsafeBufferPointer { fnmatch($0.baseAddress!, subject, matchesPath ? FNM_PATHNAME : 0) == 0 }
        }
    }
}
