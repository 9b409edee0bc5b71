import DICOMCore

/// The frames of a data set's Pixel Data, one at a time: a native frame is a slice of the value;
/// an encapsulated frame is the concatenation of its fragments, found through the Extended Offset
/// Table, the Basic Offset Table, or the fragments themselves (PS3.5 §A.4). Every offset and
/// length is checked against the data before it is used.
public struct PixelFrames: Sendable {
    public let description: PixelDescription
    public let transferSyntax: TransferSyntax
    private let pixelData: ElementValue
    /// Fragment indices of each frame (encapsulated only).
    private let fragmentsOfFrame: [Range<Int>]
    private let bulkData: BulkDataLoader?

    /// Reads a value left in the input by a bulk-data read (see `ReadOptions.bulkDataThreshold`).
    public typealias BulkDataLoader = @Sendable (BulkDataReference) throws -> [UInt8]

    /// The frames of `dataSet`, encoded in `transferSyntax`. `bulkData` loads values that were
    /// left in the file; without it such a value is an error.
    public init(dataSet: DataSet, transferSyntax: TransferSyntax, bulkData: BulkDataLoader? = nil) throws {
        let description = try PixelDescription(dataSet)
        guard let element = dataSet[.pixelData] else {
            throw ImagingError(.malformedPixelData, "the data set has no Pixel Data (7FE0,0010)")
        }
        self.description = description
        self.transferSyntax = transferSyntax
        self.pixelData = element.value
        self.bulkData = bulkData
        switch element.value {
        case .encapsulated(let encapsulated):
            guard transferSyntax.isEncapsulated else {
                throw ImagingError(.malformedPixelData, "encapsulated Pixel Data in \(transferSyntax.name)")
            }
            fragmentsOfFrame = try Self.frameFragments(encapsulated, dataSet: dataSet,
                                                      frameCount: description.numberOfFrames, bulkData: bulkData)
        case .bytes(let bytes):
            try Self.checkNativeLength(bytes.count, description, transferSyntax)
            fragmentsOfFrame = []
        case .bulkData(let reference):
            try Self.checkNativeLength(reference.length, description, transferSyntax)
            fragmentsOfFrame = []
        case .sequence:
            throw ImagingError(.malformedPixelData, "Pixel Data is a sequence")
        }
    }

    public var count: Int { description.numberOfFrames }

    /// The stored bytes of frame `index`: native samples (little endian), or the codestream.
    public func encodedFrame(_ index: Int) throws -> [UInt8] {
        guard (0..<count).contains(index) else {
            throw ImagingError(.frameOutOfRange, "frame \(index + 1) requested of \(count)")
        }
        switch pixelData {
        case .bytes(let bytes):
            let length = description.nativeFrameLength
            return Array(bytes[index * length..<(index + 1) * length])
        case .bulkData(let reference):
            let length = description.nativeFrameLength
            var bytes = try load(BulkDataReference(offset: reference.offset + index * length, length: length))
            // Bulk data stays in the file's byte order (DataElement holds little endian).
            if transferSyntax.isBigEndian && description.bitsAllocated > 8 {
                swapBytes(&bytes, width: description.bytesPerSample)
            }
            return bytes
        case .encapsulated(let encapsulated):
            var codestream: [UInt8] = []
            for fragment in encapsulated.fragments[fragmentsOfFrame[index]] {
                switch fragment {
                case .bytes(let bytes): codestream += bytes
                case .bulkData(let reference): codestream += try load(reference)
                }
            }
            return codestream
        case .sequence:
            throw ImagingError(.malformedPixelData, "Pixel Data is a sequence")
        }
    }

    /// A value left in the input by the reader (Pixel Data's or another large one).
    func load(_ reference: BulkDataReference) throws -> [UInt8] {
        guard let bulkData else {
            throw ImagingError(.malformedPixelData, "Pixel Data was left in the file and no reader was given")
        }
        return try bulkData(reference)
    }

    private static func checkNativeLength(_ length: Int, _ description: PixelDescription,
                                          _ syntax: TransferSyntax) throws {
        let (needed, overflow) = description.nativeFrameLength.multipliedReportingOverflow(by: description.numberOfFrames)
        guard !overflow, length >= needed else {
            throw ImagingError(.malformedPixelData,
                               "Pixel Data holds \(length) bytes; \(description.numberOfFrames) frame(s) of "
                               + "\(description.rows)×\(description.columns) need \(overflow ? "more" : String(needed))")
        }
    }

    // MARK: Fragments per frame (PS3.5 §A.4)

    static func frameFragments(_ pixels: EncapsulatedPixelData, dataSet: DataSet, frameCount: Int,
                               bulkData: BulkDataLoader? = nil) throws -> [Range<Int>] {
        let fragments = pixels.fragments
        guard !fragments.isEmpty else {
            throw ImagingError(.malformedPixelData, "encapsulated Pixel Data has no fragments")
        }
        // Offset of each fragment's item tag from the first fragment's (item header is 8 bytes).
        var itemOffsets: [Int] = []
        itemOffsets.reserveCapacity(fragments.count + 1)
        var position = 0
        for fragment in fragments {
            itemOffsets.append(position)
            position += 8 + fragment.length
        }
        itemOffsets.append(position)

        if let table = dataSet[.extendedOffsetTable]?.bytes {
            let offsets = littleEndian(table, width: 8)
            return try ranges(startingAt: offsets, itemOffsets: itemOffsets, frameCount: frameCount,
                              table: "Extended Offset Table")
        }
        if !pixels.basicOffsetTable.isEmpty {
            let offsets = littleEndian(pixels.basicOffsetTable, width: 4)
            return try ranges(startingAt: offsets, itemOffsets: itemOffsets, frameCount: frameCount,
                              table: "Basic Offset Table")
        }
        if frameCount == 1 { return [0..<fragments.count] }
        if fragments.count == frameCount { return (0..<frameCount).map { $0..<$0 + 1 } }
        // No table and more fragments than frames: a frame starts where a codestream starts.
        let starts = try fragments.indices.filter { try startsCodestream(fragments[$0], bulkData: bulkData) }
        guard starts.count == frameCount, starts.first == 0 else {
            throw ImagingError(.malformedPixelData,
                               "Number of Frames is \(frameCount) but the \(fragments.count) fragments, without an "
                               + "offset table, hold \(starts.count) codestreams")
        }
        return zip(starts, starts.dropFirst() + [fragments.count]).map { $0..<$1 }
    }

    private static func ranges(startingAt offsets: [UInt64], itemOffsets: [Int], frameCount: Int,
                               table: String) throws -> [Range<Int>] {
        guard offsets.count == frameCount else {
            throw ImagingError(.malformedPixelData,
                               "the \(table) has \(offsets.count) entries for \(frameCount) frame(s)")
        }
        var indexOfOffset: [UInt64: Int] = [:]
        for (index, offset) in itemOffsets.dropLast().enumerated() { indexOfOffset[UInt64(offset)] = index }
        var starts: [Int] = []
        for (frame, offset) in offsets.enumerated() {
            guard let start = indexOfOffset[offset], start >= (starts.last.map { $0 + 1 } ?? 0) else {
                throw ImagingError(.malformedPixelData,
                                   "the \(table) entry for frame \(frame + 1) (offset \(offset)) is not the start "
                                   + "of a fragment after the previous frame's")
            }
            starts.append(start)
        }
        return zip(starts, starts.dropFirst() + [itemOffsets.count - 1]).map { $0..<$1 }
    }

    private static func startsCodestream(_ fragment: EncapsulatedPixelData.Fragment,
                                         bulkData: BulkDataLoader?) throws -> Bool {
        let bytes: [UInt8]
        switch fragment {
        case .bytes(let value): bytes = value
        case .bulkData(let reference):
            guard let bulkData, reference.length >= 2 else { return false }
            bytes = try bulkData(BulkDataReference(offset: reference.offset, length: 2))
        }
        guard bytes.count >= 2, bytes[0] == 0xFF else { return false }
        // JPEG and JPEG-LS SOI (FFD8), JPEG 2000 codestream SOC (FF4F).
        return bytes[1] == 0xD8 || bytes[1] == 0x4F
    }
}

extension EncapsulatedPixelData.Fragment {
    var length: Int {
        switch self {
        case .bytes(let bytes): return bytes.count
        case .bulkData(let reference): return reference.length
        }
    }
}

func littleEndian(_ bytes: [UInt8], width: Int) -> [UInt64] {
    stride(from: 0, to: bytes.count - width + 1, by: width).map { start in
        (0..<width).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64(bytes[start + $1]) }
    }
}

func swapBytes(_ bytes: inout [UInt8], width: Int) {
    guard width > 1 else { return }
    for start in stride(from: 0, to: bytes.count - width + 1, by: width) {
        bytes[start..<start + width].reverse()
    }
}
