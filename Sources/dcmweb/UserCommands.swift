import ArgumentParser
import Foundation
import TandemArchive
import TandemCLI
import TandemWeb

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Manage the users who may sign in (stored in index.sqlite, passwords as bcrypt hashes).",
        subcommands: [Add.self, List.self, Passwd.self, Disable.self, Enable.self])

    struct Add: TandemCommand {
        static let toolName = "dcmweb user add"
        static let configuration = CommandConfiguration(
            abstract: "Add a user.",
            discussion: "Example:\n  echo 's3cret-pass' | dcmweb user add alice --role radiologist --password-stdin")
        @Argument(help: "User name (letters, digits, '.', '_', '@', '-').") var name: String
        @Option(help: "radiologist (read, reading status), technician (read, STOW), admin (everything).")
        var role: WebRole
        @Flag(name: .customLong("password-stdin"), help: "Read the password from the first line of stdin.")
        var passwordStdin = false
        @OptionGroup var root: RootOption
        @OptionGroup var logging: LoggingOptions

        func run(_ tool: TandemTool) async throws {
            let password = try PasswordInput.read(fromStdin: passwordStdin)
            _ = try UserDirectoryCall.run(tool, root) { try $0.addUser(name: name, role: role, password: password) }
            print("added \(name) (\(role.rawValue))")
        }
    }

    struct List: TandemCommand {
        static let toolName = "dcmweb user list"
        static let configuration = CommandConfiguration(abstract: "List users: name, role, state.",
                                                        discussion: "Example:\n  dcmweb user list --json")
        @Flag(help: "One JSON object per line.") var json = false
        @OptionGroup var root: RootOption
        @OptionGroup var logging: LoggingOptions

        func run(_ tool: TandemTool) async throws {
            let users = try UserDirectoryCall.run(tool, root) { try $0.users() }
            for user in users {
                let state = user.disabled ? "disabled" : "active"
                if json {
                    let object: [String: Any] = ["name": user.name, "role": user.role.rawValue, "state": state,
                                                 "created": ISO8601DateFormatter().string(from: user.createdAt)]
                    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                    print(String(decoding: data, as: UTF8.self))
                } else {
                    print("\(user.name)\t\(user.role.rawValue)\t\(state)")
                }
            }
        }
    }

    struct Passwd: UserDirectoryChange {
        static let toolName = "dcmweb user passwd"
        static let configuration = CommandConfiguration(
            abstract: "Set a user's password (their browser sessions end).",
            discussion: "Example:\n  dcmweb user passwd alice --password-stdin < newpass.txt")
        @Argument(help: "User name.") var name: String
        @Flag(name: .customLong("password-stdin"), help: "Read the password from the first line of stdin.")
        var passwordStdin = false
        @OptionGroup var root: RootOption
        @OptionGroup var logging: LoggingOptions

        func change(_ users: UserDirectory) throws -> String {
            try users.setPassword(name: name, password: try PasswordInput.read(fromStdin: passwordStdin))
            return "password of \(name) changed"
        }
    }

    struct Disable: UserDirectoryChange {
        static let toolName = "dcmweb user disable"
        static let configuration = CommandConfiguration(
            abstract: "Disable a user: password, tokens and sessions are refused from now on.",
            discussion: "Example:\n  dcmweb user disable alice")
        @Argument(help: "User name.") var name: String
        @OptionGroup var root: RootOption
        @OptionGroup var logging: LoggingOptions

        func change(_ users: UserDirectory) throws -> String {
            try users.setDisabled(name: name, true)
            return "disabled \(name)"
        }
    }

    struct Enable: UserDirectoryChange {
        static let toolName = "dcmweb user enable"
        static let configuration = CommandConfiguration(abstract: "Enable a disabled user again.",
                                                        discussion: "Example:\n  dcmweb user enable alice")
        @Argument(help: "User name.") var name: String
        @OptionGroup var root: RootOption
        @OptionGroup var logging: LoggingOptions

        func change(_ users: UserDirectory) throws -> String {
            try users.setDisabled(name: name, false)
            return "enabled \(name)"
        }
    }
}

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Bearer tokens for scripts and DICOMweb clients (Authorization: Bearer TOKEN).",
        subcommands: [Create.self, Revoke.self])

    struct Create: TandemCommand {
        static let toolName = "dcmweb token create"
        static let configuration = CommandConfiguration(
            abstract: "Create a token for a user and print it (shown once; only its digest is stored).",
            discussion: "Example:\n  dcmweb token create alice --name nightly-export")
        @Argument(help: "User name.") var user: String
        @Option(help: "A name to revoke the token by.") var name: String
        @OptionGroup var root: RootOption
        @OptionGroup var logging: LoggingOptions

        func run(_ tool: TandemTool) async throws {
            let token = try UserDirectoryCall.run(tool, root) { try $0.createToken(user: user, tokenName: name) }
            print(token)
        }
    }

    struct Revoke: UserDirectoryChange {
        static let toolName = "dcmweb token revoke"
        static let configuration = CommandConfiguration(abstract: "Revoke a user's token by name.",
                                                        discussion: "Example:\n  dcmweb token revoke alice --name nightly-export")
        @Argument(help: "User name.") var user: String
        @Option(help: "The token's name.") var name: String
        @OptionGroup var root: RootOption
        @OptionGroup var logging: LoggingOptions

        func change(_ users: UserDirectory) throws -> String {
            try users.revokeToken(user: user, tokenName: name)
            return "revoked \(name) of \(user)"
        }
    }
}

extension WebRole: ExpressibleByArgument {}

/// A subcommand that changes the user directory and says what it did in one line on stdout.
protocol UserDirectoryChange: TandemCommand {
    var root: RootOption { get }
    func change(_ users: UserDirectory) throws -> String
}

extension UserDirectoryChange {
    func run(_ tool: TandemTool) async throws {
        print(try UserDirectoryCall.run(tool, root) { try change($0) })
    }
}

/// Runs a user-directory operation in the tool's frame; a refused value (bad name, weak password,
/// unknown user or token) exits 65.
enum UserDirectoryCall {
    static func run<T>(_ tool: TandemTool, _ root: RootOption, _ body: (UserDirectory) throws -> T) throws -> T {
        let archive = try tool.openArchive(root.dataRoot)
        do {
            return try body(UserDirectory(index: archive.index))
        } catch let error as UserDirectoryError {
            throw ToolError(.badInput, error.description)
        }
    }
}

/// A password from stdin (`--password-stdin`) or typed at the terminal, never from the command line
/// (where `ps` and shell history would show it).
enum PasswordInput {
    static func read(fromStdin: Bool) throws -> String {
        if fromStdin {
            guard let line = Swift.readLine(strippingNewline: true), !line.isEmpty else {
                throw ToolError(.usage, "--password-stdin: no password on stdin")
            }
            return line
        }
        guard isatty(STDIN_FILENO) == 1 else {
            throw ToolError(.usage, "not a terminal: pass --password-stdin and the password on stdin")
        }
        guard let first = getpass("Password: ").map({ String(cString: $0) }),
              let second = getpass("Again: ").map({ String(cString: $0) }), first == second else {
            throw ToolError(.usage, "the passwords differ")
        }
        return first
    }
}
