// The CLI's code lives in the other files of this folder; this only hands over the arguments.
CommandLineTool.run(Array(CommandLine.arguments.dropFirst()))
