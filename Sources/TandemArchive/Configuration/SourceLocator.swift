/// Finds the line of a key in TOML source text. TOMLKit reports lines for syntax errors only,
/// so semantic errors (a port out of range) are located by scanning the text the way TOML
/// structures it: `[table]` and `[[array-of-tables]]` headers followed by `key = value` lines.
struct SourceLocator {
    private let lines: [Substring]

    init(text: String) {
        lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// The 1-based line of `key` inside `table` (nil: the root table); for an array of tables,
    /// inside its `occurrence`-th element (0-based). With no key, the line of the table's header.
    func line(table: String?, occurrence: Int = 0, key: String?) -> Int? {
        var currentTable: String?
        var currentOccurrence = 0
        var occurrences: [String: Int] = [:]
        for (index, raw) in lines.enumerated() {
            let text = raw.trimmingWhitespace()
            if text.hasPrefix("[") {
                guard let header = Self.header(of: text) else { continue }
                currentTable = header
                currentOccurrence = occurrences[header, default: 0]
                occurrences[header] = currentOccurrence + 1
                if key == nil, header == table, currentOccurrence == occurrence { return index + 1 }
                continue
            }
            guard let key, currentTable == table, currentOccurrence == occurrence,
                  let equals = text.firstIndex(of: "=") else { continue }
            let name = text[..<equals].trimmingWhitespace().trimmingQuotes()
            if name == key { return index + 1 }
        }
        return nil
    }

    /// `[name]` or `[[name]]`, ignoring spacing and a trailing comment.
    private static func header(of text: Substring) -> String? {
        guard let close = text.firstIndex(of: "]") else { return nil }
        let inside = text[..<close].drop { $0 == "[" }
        let name = inside.trimmingWhitespace().trimmingQuotes()
        return name.isEmpty ? nil : String(name)
    }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return self[start...end]
    }

    fileprivate func trimmingQuotes() -> Substring {
        if count >= 2, let first, first == "\"" || first == "'", last == first { return dropFirst().dropLast() }
        return self
    }
}
