#if canImport(Glibc)
import Glibc
#endif

// libFuzzer's driver runs the reader on every input it makes; its options come from the
// command line (see ../../run.sh).
exit(runFuzzer(CommandLine.argc, CommandLine.unsafeArgv))
