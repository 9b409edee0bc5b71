import DICOMCore
import Foundation
import TandemArchive

/// The DICOM JSON Model (PS3.18 Annex F), written directly as UTF-8: an object per data set, keyed
/// by tag as 8 upper-case hex digits in ascending order, each attribute `{"vr": …, "Value": […]}`
/// (or `InlineBinary` / `BulkDataURI` for binary VRs, no value for an empty attribute).
struct DicomJSONWriter {
    private(set) var text = ""

    // MARK: Query matches (QIDO-RS)

    /// One QIDO-RS result: every return attribute of the match (PS3.18 §10.6.3.3).
    mutating func write(_ match: QueryMatch) {
        text += "{"
        var first = true
        for tag in match.attributes.keys.sorted() {
            guard let value = match.attributes[tag] else { continue }
            separator(&first)
            key(tag)
            attribute(vr: value.vr, textValues: value.values)
        }
        text += "}"
    }

    // MARK: Data sets (WADO-RS metadata)

    /// A data set. `bulkDataURI` names the URI of a top-level element left in the file (nil: write it
    /// inline, loading it with `load`); nested bulk values are always written inline.
    mutating func write(_ dataSet: DataSet, bulkDataURI: (Tag) -> String?, load: (BulkDataReference) throws -> [UInt8],
                        nested: Bool = false) rethrows {
        text += "{"
        var first = true
        for element in dataSet where !element.tag.isGroupLength && element.tag.group != 0x0002 {
            separator(&first)
            key(element.tag)
            try self.element(element, in: dataSet, bulkDataURI: nested ? { _ in nil } : bulkDataURI, load: load)
        }
        text += "}"
    }

    private mutating func element(_ element: DataElement, in dataSet: DataSet, bulkDataURI: (Tag) -> String?,
                                  load: (BulkDataReference) throws -> [UInt8]) rethrows {
        let vr = element.vr
        switch element.value {
        case .sequence:
            text += "{\"vr\":\"SQ\""
            let items = dataSet.items(element.tag) ?? []
            if !items.isEmpty {
                text += ",\"Value\":["
                for (index, item) in items.enumerated() {
                    if index > 0 { text += "," }
                    try write(item, bulkDataURI: bulkDataURI, load: load, nested: true)
                }
                text += "]"
            }
            text += "}"
        case .encapsulated:
            text += "{\"vr\":\"\(vr.rawValue)\""
            if let uri = bulkDataURI(element.tag) { text += ",\"BulkDataURI\":" + Self.quotedURI(uri) }
            text += "}"
        case .bulkData(let reference):
            if Self.binaryVRs.contains(vr), let uri = bulkDataURI(element.tag) {
                text += "{\"vr\":\"\(vr.rawValue)\",\"BulkDataURI\":" + Self.quotedURI(uri) + "}"
            } else {
                // Long text or numbers, or a nested binary value: written inline, as read from the file.
                var loaded = DataSet([DataElement(tag: element.tag, vr: vr, value: .bytes(try load(reference)))])
                loaded.inheritedCharacterSet = dataSet.specificCharacterSet
                value(loaded[0], in: loaded)
            }
        case .bytes:
            value(element, in: dataSet)
        }
    }

    /// OB, OD, OF, OL, OV, OW, UN: binary, written as base64 or referenced.
    static let binaryVRs: Set<VR> = [.OB, .OD, .OF, .OL, .OV, .OW, .UN]

    private mutating func value(_ element: DataElement, in dataSet: DataSet) {
        let vr = element.vr, tag = element.tag
        text += "{\"vr\":\"\(vr.rawValue)\""
        defer { text += "}" }
        if Self.binaryVRs.contains(vr) {
            guard let bytes = element.bytes, !bytes.isEmpty else { return }
            text += ",\"InlineBinary\":\"" + Data(bytes).base64EncodedString() + "\""
            return
        }
        switch vr {
        case .AT:
            guard let tags = dataSet.tags(tag), !tags.isEmpty else { return }
            text += ",\"Value\":[" + tags.map { "\"" + Self.hex($0) + "\"" }.joined(separator: ",") + "]"
        case .US, .SS, .UL, .SL, .SV, .UV:
            guard let numbers = dataSet.ints(tag), !numbers.isEmpty else { return }
            text += ",\"Value\":[" + numbers.map(String.init).joined(separator: ",") + "]"
        case .FL, .FD:
            guard let numbers = dataSet.doubles(tag), !numbers.isEmpty else { return }
            text += ",\"Value\":[" + numbers.map(Self.number).joined(separator: ",") + "]"
        default:
            guard let strings = dataSet.strings(tag), !strings.isEmpty else { return }
            text += ",\"Value\":["
            textValues(vr: vr, strings)
            text += "]"
        }
    }

    private mutating func attribute(vr: VR, textValues values: [String]) {
        text += "{\"vr\":\"\(vr.rawValue)\""
        if !values.isEmpty {
            text += ",\"Value\":["
            textValues(vr: vr, values)
            text += "]"
        }
        text += "}"
    }

    /// Text values by VR (PS3.18 F.2.3): numbers for IS and DS, name groups for PN, strings else;
    /// an empty value is null.
    private mutating func textValues(vr: VR, _ values: [String]) {
        for (index, value) in values.enumerated() {
            if index > 0 { text += "," }
            if value.isEmpty {
                text += "null"
                continue
            }
            switch vr {
            case .IS:
                text += Int(value.trimmingCharacters(in: .whitespaces)).map(String.init) ?? "null"
            case .DS:
                text += Double(value.trimmingCharacters(in: .whitespaces)).map(Self.number) ?? "null"
            case .PN:
                let groups = value.split(separator: "=", omittingEmptySubsequences: false)
                var parts: [String] = []
                for (name, group) in zip(["Alphabetic", "Ideographic", "Phonetic"], groups) where !group.isEmpty {
                    parts.append("\"\(name)\":" + Self.quoted(String(group)))
                }
                text += "{" + parts.joined(separator: ",") + "}"
            default:
                text += Self.quoted(value)
            }
        }
    }

    private mutating func separator(_ first: inout Bool) {
        if !first { text += "," }
        first = false
    }

    private mutating func key(_ tag: Tag) {
        text += "\"" + Self.hex(tag) + "\":"
    }

    static func hex(_ tag: Tag) -> String {
        String(format: "%08X", tag.value)
    }

    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    /// Stands for an instance's URL at the start of a BulkDataURI in a cached metadata template
    /// (`InstanceMetadata`). A raw control character never occurs elsewhere in the output: JSON
    /// strings escape them all (RFC 8259 §7), so the marker cannot be confused with data.
    static let instanceURLMarker: Unicode.Scalar = "\u{01}"

    /// A BulkDataURI as a JSON string; a leading `instanceURLMarker` is kept raw.
    static func quotedURI(_ uri: String) -> String {
        guard uri.unicodeScalars.first == instanceURLMarker else { return quoted(uri) }
        let rest = quoted(String(uri.unicodeScalars.dropFirst()))
        return "\"" + String(Character(instanceURLMarker)) + rest.dropFirst()
    }

    /// A JSON string literal (RFC 8259 §7).
    static func quoted(_ string: String) -> String {
        var out = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

extension DicomJSONWriter {
    /// Raw JSON punctuation between values.
    mutating func append(_ raw: String) { text += raw }
}
