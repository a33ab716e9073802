/// A value that is not `Sendable`, moved to another thread by an owner that never touches it
/// again.
///
/// For the one place where the compiler's region analysis cannot follow the move: a value sent
/// on one path and returned on another (``ArchiveStream/members(descriptor:label:)``).
struct Handover<Value>: @unchecked Sendable {
    // @unchecked: whoever makes a handover gives the value up; only the receiving thread uses
    // it from then on.
    let value: Value
}
