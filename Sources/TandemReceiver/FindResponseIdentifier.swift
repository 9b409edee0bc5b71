import DICOMCore
import DICOMNetwork
import TandemArchive

/// The identifier of one C-FIND pending response (PS3.4 C.4.1.1.3.2): the Query/Retrieve Level
/// and a value for every key of the request, in the request's order; a key the entity lacks, or
/// the index does not keep, is zero length (an empty sequence for a sequence key).
///
/// Text is encoded in the request's Specific Character Set when it can hold the values (the
/// requestor reads what it wrote), else in ISO_IR 192, which holds any name the index keeps;
/// Specific Character Set (0008,0005) is present whenever it is not the default repertoire.
struct FindResponseIdentifier {
    let query: QueryRequest
    /// The request's Specific Character Set defined terms, empty for the default repertoire.
    let requestCharacterSet: [String]
    /// Answered for Retrieve AE Title (0008,0054) when asked: where the match can be retrieved.
    let retrieveAETitle: String

    static let unicode = ["ISO_IR 192"]

    func dataSet(for match: QueryMatch) throws -> DataSet {
        if requestCharacterSet != Self.unicode, let dataSet = try? encode(match, characterSet: requestCharacterSet) {
            return dataSet
        }
        return try encode(match, characterSet: Self.unicode)
    }

    private func encode(_ match: QueryMatch, characterSet: [String]) throws -> DataSet {
        var dataSet = DataSet()
        if !characterSet.isEmpty {
            try dataSet.set(.specificCharacterSet, vr: .CS, strings: characterSet)
        }
        try dataSet.set(.queryRetrieveLevel, vr: .CS, string: match.level.rawValue)
        for tag in query.returnTags {
            guard let value = match[tag] else { continue }
            switch (tag, value.vr) {
            case (.retrieveAETitle, _):
                try dataSet.set(tag, vr: .AE, string: retrieveAETitle)
            case (.instanceAvailability, _):
                try dataSet.set(tag, vr: .CS, string: "ONLINE")  // every indexed object is on disk (PS3.3 C.4.23.1.1)
            case (_, .SQ):
                dataSet.set(tag, items: try value.items.map { try Self.item($0, characterSet: dataSet.specificCharacterSet) })
            case (_, let vr) where vr.isText:
                try dataSet.set(tag, vr: vr, strings: value.values)
            case (_, let vr):
                try dataSet.set(tag, vr: vr, bytes: [])  // binary attributes the index does not keep
            }
        }
        return dataSet
    }

    /// A sequence item of the answer, its text in the enclosing data set's character set.
    private static func item(_ attributes: [Tag: QueryValue], characterSet: SpecificCharacterSet) throws -> DataSet {
        var item = DataSet()
        item.inheritedCharacterSet = characterSet
        for (tag, value) in attributes.sorted(by: { $0.key < $1.key }) {
            if value.vr.isText {
                try item.set(tag, vr: value.vr, strings: value.values)
            } else if value.vr == .SQ {
                item.set(tag, items: [])
            } else {
                try item.set(tag, vr: value.vr, bytes: [])
            }
        }
        return item
    }
}
