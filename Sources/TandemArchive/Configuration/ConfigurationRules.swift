/// Value rules shared by the configuration reader and by tools that take the same values on the command line.
public enum ConfigurationRules {
    public static let portRange = 1...65535

    /// Why `title` is not a usable Application Entity title, or nil if it is. PS3.5 §6.2 (AE):
    /// at most 16 characters of the default repertoire, no backslash, no control characters,
    /// and not only spaces (leading and trailing spaces are not significant).
    public static func aeTitleProblem(_ title: String) -> String? {
        if title.unicodeScalars.count > 16 { return "AE title \"\(title)\" is longer than 16 characters" }
        if title.allSatisfy({ $0 == " " }) { return "AE title is empty" }
        if title.contains("\\") { return "AE title \"\(title)\" contains a backslash" }
        let printableASCII: ClosedRange<UInt32> = 0x20...0x7E
        if title.unicodeScalars.contains(where: { !printableASCII.contains($0.value) }) {
            return "AE title contains a control or non-ASCII character"
        }
        return nil
    }
}
