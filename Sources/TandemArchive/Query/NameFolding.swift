import Foundation
import GRDB

/// The form person names are compared in when matching ignores case (PS3.4 C.2.2.2.1 allows PN
/// matching insensitive to case and to character encoding variants): lower case, then Unicode
/// canonical composition, so `MÜLLER`, `müller` and a decomposed `mu\u{308}ller` agree.
/// Lowering maps each scalar on its own, so the fold of a prefix is a prefix of the fold: the
/// range over `patient_name_folded` that finds a wildcard's literal prefix stays exact.
public enum NameFolding {
    public static func fold(_ text: String) -> String {
        text.lowercased().precomposedStringWithCanonicalMapping
    }

    /// `tandem_fold(text)`, for matching PN columns that have no folded copy. Registered on every
    /// connection of the index; never used in the schema, so other SQLite clients still read it.
    static let sqlFunction = DatabaseFunction("tandem_fold", argumentCount: 1, pure: true) { values in
        String.fromDatabaseValue(values[0]).map(fold)
    }
}
