import Foundation

/// A user as the access tables hold it (never with the password hash outside `UserDirectory`).
public struct WebUser: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var role: WebRole
    public var disabled: Bool
    public var createdAt: Date

    /// A user name is what an admin types and what audit rows show: letters, digits and `._@-`,
    /// 1…64 characters (no `:`, which would break HTTP Basic).
    public static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.count) && name.unicodeScalars.allSatisfy {
            CharacterSet.alphanumerics.contains($0) && $0.isASCII || "._@-".unicodeScalars.contains($0)
        }
    }
}

/// Why a user operation was refused.
public enum UserDirectoryError: Error, Equatable, CustomStringConvertible {
    case invalidName(String)
    case duplicateName(String)
    case unknownUser(String)
    case unknownToken(String)
    case weakPassword(String)

    public var description: String {
        switch self {
        case let .invalidName(name):
            "invalid user name \(name.debugDescription): use 1 to 64 letters, digits, '.', '_', '@' or '-'"
        case let .duplicateName(name): "user \(name) exists already"
        case let .unknownUser(name): "no user \(name)"
        case let .unknownToken(name): "no active token \(name)"
        case let .weakPassword(reason): "password refused: \(reason)"
        }
    }
}
