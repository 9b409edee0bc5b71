import ArgumentParser
import TandemArchive

/// `--root DIR`: the data root (else `$TANDEM_ROOT`, else `./tandem-data`).
public struct RootOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Data root directory (default: $TANDEM_ROOT, else ./tandem-data).",
                                            valueName: "dir"))
    public var root: String?

    public init() {}

    public var dataRoot: DataRoot { DataRoot.resolve(option: root) }
}
