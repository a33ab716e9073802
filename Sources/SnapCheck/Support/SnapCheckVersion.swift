/// The version of the SnapCheck library and the `snapcheck` tool.
public enum SnapCheckVersion {
    /// The version string, `MAJOR.MINOR.PATCH`.
    public static let string = "0.1.0"
}
