import TOMLKit

/// Reads one TOML table strictly: each accessor checks the value's type, remembers the key as
/// known, and `finish()` rejects whatever key was not asked for, so a typo never passes silently.
final class TableReader {
    private let table: TOMLTable
    private let source: ConfigurationSource
    /// Table name as written in the header (`peer`), nil for the root table.
    private let header: String?
    /// For an element of an array of tables, which one (0-based); nil for a plain table.
    private let occurrence: Int?
    private var knownKeys: Set<String> = []

    init(table: TOMLTable, source: ConfigurationSource, header: String?, occurrence: Int? = nil) {
        self.table = table
        self.source = source
        self.header = header
        self.occurrence = occurrence
    }

    func string(_ key: String) throws -> String? {
        try value(key, expected: "a string") { $0.string }
    }

    func int(_ key: String) throws -> Int? {
        try value(key, expected: "an integer") { $0.int }
    }

    func bool(_ key: String) throws -> Bool? {
        try value(key, expected: "true or false") { $0.bool }
    }

    /// A float key also accepts an integer: `multiplier = 2` means 2.0 to anyone reading it.
    func number(_ key: String) throws -> Double? {
        try value(key, expected: "a number") { $0.double ?? $0.int.map(Double.init) }
    }

    func strings(_ key: String) throws -> [String]? {
        try value(key, expected: "an array of strings") { node in
            guard let array = node.array else { return nil }
            let strings = array.compactMap { $0.string }
            return strings.count == array.count ? strings : nil
        }
    }

    func table(_ key: String) throws -> TOMLTable? {
        try value(key, expected: "a table") { $0.table }
    }

    /// `[[key]]`: an array whose every element is a table.
    func tables(_ key: String) throws -> [TOMLTable]? {
        try value(key, expected: "an array of tables ([[\(key)]])") { node in
            guard let array = node.array else { return nil }
            let tables = array.compactMap { $0.table }
            return tables.count == array.count ? tables : nil
        }
    }

    /// A value of the right type that breaks a rule (range, enum, reference).
    func invalid(_ key: String, _ reason: String) -> ConfigurationError {
        error(key: key, reason: reason)
    }

    /// Rejects keys nobody asked for: usually a typo, which would otherwise silently keep a default.
    func finish() throws {
        for key in table.keys.sorted() where !knownKeys.contains(key) {
            let kind = table[key]?.type == .table ? "table" : "key"
            throw error(key: key, reason: "unknown \(kind)")
        }
    }

    /// A reader for a sub-table (`[node]`) or an element of an array of tables (`[[peer]]`).
    func child(_ table: TOMLTable, header: String, occurrence: Int? = nil) -> TableReader {
        TableReader(table: table, source: source, header: header, occurrence: occurrence)
    }

    private func value<T>(_ key: String, expected: String, convert: (TOMLValueConvertible) -> T?) throws -> T? {
        knownKeys.insert(key)
        guard let node = table[key] else { return nil }
        guard let converted = convert(node) else {
            throw error(key: key, reason: "expected \(expected), found \(node.type)")
        }
        return converted
    }

    private func error(key: String, reason: String) -> ConfigurationError {
        let locator = source.locator
        // A root-level key is usually a table written as a `[key]` header.
        let line = locator.line(table: header, occurrence: occurrence ?? 0, key: key)
            ?? (header == nil ? locator.line(table: key, key: nil) : nil)
            ?? locator.line(table: header, occurrence: occurrence ?? 0, key: nil)
        return ConfigurationError(file: source.file, line: line, key: qualified(key), reason: reason)
    }

    private func qualified(_ key: String) -> String {
        guard let header else { return key }
        guard let occurrence else { return "\(header).\(key)" }
        return "\(header)[\(occurrence + 1)].\(key)"
    }
}

/// The file being read: its name for messages and its text for locating keys.
struct ConfigurationSource {
    let file: String
    let locator: SourceLocator
}
