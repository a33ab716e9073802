import ArgumentParser
import SnapCheck

#if canImport(Glibc)
import Glibc
#endif

/// `--state FILE`, `--window`, `--reset-state`: the proofs that let spot-checks roll across
/// runs (docs/spot-check.md, "Rolling spot-checks").
struct StateOptions: ParsableArguments {
    @Option(name: .customLong("state"), help: ArgumentHelp(
        "Remember which chunks were proven, and when, in FILE: later spot-checks read the unproven ones first.",
        valueName: "file"))
    var path: String?

    @Option(help: "How long a proof counts: 30d (default), 12h, 2w or seconds.")
    var window: Window = Window(seconds: 30 * 86_400)

    @Flag(help: "Start the state anew instead of reading FILE (a damaged state is otherwise refused).")
    var resetState = false

    func validate() throws {
        if resetState && path == nil { throw ValidationError("--reset-state needs --state FILE") }
    }

    /// The rolling options for `target`, or nil without `--state`.
    ///
    /// - Throws: ``SnapCheckError`` when the state file exists but is not intact.
    func rolling() throws -> SpotCheck.Rolling? {
        guard let path else { return nil }
        let now = UInt32(clamping: time(nil))
        guard !resetState, access(path, F_OK) == 0 else {
            return SpotCheck.Rolling(state: nil, window: window.seconds, now: now)
        }
        return SpotCheck.Rolling(state: try ProofState.read(from: argumentPath(path)), window: window.seconds, now: now)
    }

    /// Writes the proofs after a run (atomically), saying on stderr when the old state was not
    /// used.
    func save(_ state: ProofState?, discarded: String?) throws {
        guard let path, let state else { return }
        if let discarded {
            Output.error("the state \(Formatting.argument(path)) was not used: \(discarded); starting afresh for this target")
        }
        try state.write(to: argumentPath(path))
    }
}

/// A length of time on the command line: `30d`, `12h`, `2w`, `90m` or plain seconds.
struct Window: ExpressibleByArgument {
    var seconds: UInt32

    init(seconds: UInt32) { self.seconds = seconds }

    init?(argument: String) {
        let units: [Character: UInt64] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800]
        let unit = argument.last.flatMap { units[$0] }
        guard let value = UInt64(unit == nil ? argument : String(argument.dropLast())), value > 0,
              let total = UInt32(exactly: value * (unit ?? 1)) else { return nil }
        seconds = total
    }
}
