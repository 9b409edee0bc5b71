import DICOMCore
import Foundation

/// The attribute reads `SeriesGeometry` makes, from either source it reads: a header parsed from
/// the file (`DataSet`), or an instance's cached WADO-RS metadata (`DicomJSONAttributes`), so that
/// both give the same geometry.
protocol GeometryAttributes {
    func string(_ tag: Tag) -> String?
    func int(_ tag: Tag) -> Int?
    func double(_ tag: Tag) -> Double?
    func doubles(_ tag: Tag) -> [Double]?
    func items(_ tag: Tag) -> [Self]?
}

extension DataSet: GeometryAttributes {}

/// A data set in the DICOM JSON Model (PS3.18 Annex F) as `DicomJSONWriter` writes it into the
/// metadata cache: values of text VRs as strings, of IS, DS and binary numbers as numbers, PN as
/// name groups, SQ as nested data sets. Bulk data (InlineBinary, BulkDataURI) is not read.
struct DicomJSONAttributes: Decodable, GeometryAttributes {
    private enum Value: Decodable {
        case number(Double)
        case text(String)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Double.self) {
                self = .number(number)
            } else {
                self = .text(try container.decode(String.self))
            }
        }
    }

    /// PS3.18 F.2.2: Alphabetic, Ideographic and Phonetic groups, joined as in the encoded value.
    private struct PersonName: Decodable {
        var Alphabetic: String?
        var Ideographic: String?
        var Phonetic: String?

        var encoded: String {
            var groups = [Alphabetic ?? "", Ideographic ?? "", Phonetic ?? ""]
            while groups.count > 1, groups.last == "" { groups.removeLast() }
            return groups.joined(separator: "=")
        }
    }

    private enum Element: Decodable {
        case values([Value?])
        case items([DicomJSONAttributes])

        private enum Key: String, CodingKey {
            case vr, Value
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            switch try container.decode(String.self, forKey: .vr) {
            case "SQ":
                self = .items(try container.decodeIfPresent([DicomJSONAttributes].self, forKey: .Value) ?? [])
            case "PN":
                let names = try container.decodeIfPresent([PersonName?].self, forKey: .Value) ?? []
                self = .values(names.map { $0.map { .text($0.encoded) } })
            case "OB", "OD", "OF", "OL", "OV", "OW", "UN":
                self = .values([])
            default:
                self = .values(try container.decodeIfPresent([Value?].self, forKey: .Value) ?? [])
            }
        }
    }

    private let elements: [String: Element]

    init(from decoder: any Decoder) throws {
        elements = try decoder.singleValueContainer().decode([String: Element].self)
    }

    /// Parses one cached template (its BulkDataURI markers are left as they are: never read here).
    init(json: Data) throws {
        self = try JSONDecoder().decode(Self.self, from: json)
    }

    private func values(_ tag: Tag) -> [Value?]? {
        guard case .values(let values)? = elements[DicomJSONWriter.hex(tag)], !values.isEmpty else { return nil }
        return values
    }

    func string(_ tag: Tag) -> String? {
        values(tag)?.map { value -> String in
            switch value {
            case .text(let text)?: text
            case .number(let number)?: DicomJSONWriter.number(number)
            case nil: ""
            }
        }.joined(separator: "\\")
    }

    func doubles(_ tag: Tag) -> [Double]? {
        guard let values = values(tag) else { return nil }
        var numbers: [Double] = []
        for value in values {
            switch value {
            case .number(let number)?: numbers.append(number)
            case .text(let text)?:
                guard let number = Double(text.trimmingCharacters(in: .whitespaces)) else { return nil }
                numbers.append(number)
            case nil: return nil
            }
        }
        return numbers
    }

    func double(_ tag: Tag) -> Double? { doubles(tag)?.first }

    func int(_ tag: Tag) -> Int? {
        guard let value = double(tag), value == value.rounded(), abs(value) < 1e15 else { return nil }
        return Int(value)
    }

    func items(_ tag: Tag) -> [DicomJSONAttributes]? {
        guard case .items(let items)? = elements[DicomJSONWriter.hex(tag)] else { return nil }
        return items
    }
}
