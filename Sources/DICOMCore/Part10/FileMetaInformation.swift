/// The 128-byte preamble and "DICM" prefix of a Part 10 file (PS3.10 §7.1).
let part10PreambleLength = 128
let part10Prefix: [UInt8] = Array("DICM".utf8)

extension DataSet {
    /// Builds File Meta Information for an object of this class and instance in this syntax, with
    /// this implementation's identity (PS3.10 §7.1). The group length is added when encoding.
    public static func fileMetaInformation(sopClassUID: String, sopInstanceUID: String,
                                           transferSyntax: TransferSyntax,
                                           sourceApplicationEntityTitle: String? = nil) throws -> DataSet {
        var meta = DataSet()
        try meta.set(.fileMetaInformationVersion, vr: .OB, bytes: [0x00, 0x01])
        try meta.set(.mediaStorageSOPClassUID, vr: .UI, string: sopClassUID)
        try meta.set(.mediaStorageSOPInstanceUID, vr: .UI, string: sopInstanceUID)
        try meta.set(.transferSyntaxUID, vr: .UI, string: transferSyntax.uid)
        try meta.set(.implementationClassUID, vr: .UI, string: Implementation.classUID)
        try meta.set(.implementationVersionName, vr: .SH, string: Implementation.versionName)
        if let ae = sourceApplicationEntityTitle, !ae.isEmpty {
            try meta.set(.sourceApplicationEntityTitle, vr: .AE, string: ae)
        }
        return meta
    }
}

enum FileMetaInformationEncoder {
    /// Preamble, "DICM" and the group 0002 elements with (0002,0000) computed (PS3.10 §7.1).
    static func encode(_ meta: DataSet, preamble: [UInt8]?) throws -> [UInt8] {
        var elements = meta
        elements.removeAll { $0.group != 0x0002 || $0 == .fileMetaInformationGroupLength }
        let body = try DataSetWriter.encode(elements, transferSyntax: .explicitVRLittleEndian)
        guard let bodyLength = UInt32(exactly: body.count) else {
            throw DICOMError(.invalidFileMetaInformation("group too long"))
        }
        var header = preamble ?? []
        if header.count != part10PreambleLength { header = [UInt8](repeating: 0, count: part10PreambleLength) }
        header += part10Prefix
        let groupLength = DataElement(tag: .fileMetaInformationGroupLength, vr: .UL,
                                      value: .bytes(withUnsafeBytes(of: bodyLength.littleEndian) { Array($0) }))
        header += try DataSetWriter.encode(groupLength, encoding: ElementEncoding(.explicitVRLittleEndian))
        header += body
        return header
    }
}
