/// A DICOM wildcard match (PS3.4 §C.2.2.2.4): `*` matches any sequence of characters, including
/// none, and `?` any single character; every other character matches itself, case-sensitively.
/// A pattern of `*` alone also matches an absent value; any other pattern needs a value.
public struct WildcardPattern: Sendable, Equatable {
    public let pattern: String
    private let characters: [Character]

    public init(_ pattern: String) {
        self.pattern = pattern
        characters = Array(pattern)
    }

    public func matches(_ value: String?) -> Bool {
        guard let value else { return characters.allSatisfy { $0 == "*" } }
        return Self.match(characters[...], Array(value)[...])
    }

    /// Greedy two-pointer match with one backtrack point: linear in practice, never exponential.
    private static func match(_ pattern: ArraySlice<Character>, _ text: ArraySlice<Character>) -> Bool {
        var p = pattern.startIndex, t = text.startIndex
        var starAt: Int?, resumeText = text.startIndex
        while t < text.endIndex {
            if p < pattern.endIndex, pattern[p] == "?" || pattern[p] == text[t] {
                p += 1
                t += 1
            } else if p < pattern.endIndex, pattern[p] == "*" {
                starAt = p
                resumeText = t
                p += 1
            } else if let star = starAt {
                p = star + 1
                resumeText += 1
                t = resumeText
            } else {
                return false
            }
        }
        while p < pattern.endIndex, pattern[p] == "*" { p += 1 }
        return p == pattern.endIndex
    }
}
