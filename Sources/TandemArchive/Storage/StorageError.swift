import Foundation

/// Why an object could not be stored. `outOfResources` is the receiver's A700 status
/// (docs/design.md, "Durability"): the disk or quota is full, or free space is below `min_free_bytes`.
public enum StorageError: Error, Equatable, CustomStringConvertible {
    case outOfResources(String)
    /// Any other system call failure: which call, on which path, and `errno`.
    case io(operation: String, path: String, code: Int32)
    /// `append`, `commit` or `discard` after the writer already finished.
    case finished

    public var description: String {
        switch self {
        case let .outOfResources(reason): "out of resources: \(reason)"
        case let .io(operation, path, code): "\(operation) \(path): \(String(cString: strerror(code)))"
        case .finished: "the object writer was already committed or discarded"
        }
    }

    /// Maps the current `errno`: a full disk or quota becomes `outOfResources`.
    static func fromErrno(_ operation: String, _ path: String, code: Int32 = errno) -> StorageError {
        switch code {
        case ENOSPC, EDQUOT: .outOfResources("\(operation) \(path): \(String(cString: strerror(code)))")
        default: .io(operation: operation, path: path, code: code)
        }
    }
}
