extension DICOMFile {
    /// Reads a file from disk, in buffered chunks; with `bulkDataThreshold` or `stopBeforeTag`
    /// the pixel data of a large file is skipped by seeking, never loaded.
    public init(path: String, options: ReadOptions = .complete) throws {
        try self.init(reader: ByteReader(source: FileByteSource(path: path)), options: options)
    }

    public init(bytes: [UInt8], options: ReadOptions = .complete) throws {
        try self.init(reader: ByteReader(bytes: bytes), options: options)
    }

    /// Reads a Part 10 file (PS3.10 §7.1): preamble, "DICM", File Meta Information in Explicit VR
    /// Little Endian, then the data set in the syntax the meta information names.
    ///
    /// Input without the "DICM" prefix is accepted as follows: if it starts with a group 0002
    /// element it is meta information without a preamble; otherwise it is a bare data set whose
    /// syntax is sniffed from its first element header (see `sniffBareDataSetSyntax`).
    public init(reader input: ByteReader, options: ReadOptions = .complete) throws {
        var reader = input
        var preamble: [UInt8]?
        if let head = try reader.peek(part10PreambleLength + 4),
           head.suffix(4).elementsEqual(part10Prefix) {
            preamble = Array(head.prefix(part10PreambleLength))
            try reader.skip(part10PreambleLength + 4)
        }
        var meta = DataSet()
        let syntax: TransferSyntax
        let startsWithMeta = try reader.peek(4).map { tagFrom($0, bigEndian: false).group == 0x0002 } ?? false
        if preamble != nil || startsWithMeta {
            var metaReader = try DataSetReader(reader: reader, transferSyntax: .explicitVRLittleEndian)
            metaReader.onlyGroup = 0x0002
            metaReader.boundary = try metaGroupEnd(&reader)
            meta = try metaReader.read()
            reader = metaReader.reader
            guard let uid = meta.string(.transferSyntaxUID), !uid.isEmpty else {
                throw DICOMError(.invalidFileMetaInformation("no Transfer Syntax UID (0002,0010)"), offset: reader.offset)
            }
            syntax = TransferSyntax(uid: uid)
        } else {
            syntax = try sniffBareDataSetSyntax(&reader)
        }
        let dataSetOffset = reader.offset
        var dataSetReader = try DataSetReader(reader: reader, transferSyntax: syntax, options: options)
        let dataSet = try dataSetReader.read()
        let stopped = dataSetReader.stoppedBeforeTag.map { (tag: $0, offset: dataSetReader.reader.offset) }
        self.init(preamble: preamble, fileMetaInformation: meta, dataSet: dataSet, transferSyntax: syntax,
                  dataSetOffset: dataSetOffset, stoppedBefore: stopped)
    }
}

/// Where File Meta Information ends according to its group length (0002,0000) UL, if it has one.
/// The reader stops there even if the data set starts with elements of group 0002 or lower; a
/// group length that does not fall on an element boundary is ignored, and reading stops at the
/// first element outside group 0002 instead.
private func metaGroupEnd(_ reader: inout ByteReader) throws -> Int? {
    guard let head = try reader.peek(12) else { return nil }
    let h = head.startIndex
    // 02 00 00 00 'U' 'L' 04 00, then the value.
    guard head[h..<h + 8].elementsEqual([0x02, 0x00, 0x00, 0x00, 0x55, 0x4C, 0x04, 0x00]) else { return nil }
    let length = head[h + 8..<h + 12].reversed().reduce(0) { $0 << 8 | Int($1) }
    return reader.offset + 12 + length
}

/// The syntax of a data set stored without meta information, judged from its first element:
/// if bytes 4–5 are a VR code, it is explicit VR, big endian when the group read little-endian
/// has its low byte zero and high byte not (e.g. 0800H for group 0008); otherwise it is Implicit VR
/// Little Endian. An implicit first element whose length happens to spell a VR would be misread,
/// which is why files should carry meta information.
func sniffBareDataSetSyntax(_ reader: inout ByteReader) throws -> TransferSyntax {
    guard let head = try reader.peek(6) else {
        if try reader.isAtEnd() { return .implicitVRLittleEndian }
        throw DICOMError(.truncated, offset: reader.offset)
    }
    let i = head.startIndex
    guard VR(code: (head[i + 4], head[i + 5])) != nil else { return .implicitVRLittleEndian }
    let littleEndianGroup = UInt16(head[i + 1]) << 8 | UInt16(head[i])
    if littleEndianGroup & 0x00FF == 0 && littleEndianGroup != 0 { return .explicitVRBigEndian }
    return .explicitVRLittleEndian
}
