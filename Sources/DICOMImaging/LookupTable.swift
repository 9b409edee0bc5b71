import DICOMCore

/// A lookup table as DICOM encodes it (PS3.3 C.11.1.1): the descriptor gives the number of
/// entries (0 means 65536), the first input value mapped, and the bits per entry; inputs below
/// the first map to the first entry, inputs past the end to the last.
public struct LookupTable: Hashable, Sendable {
    public var firstMapped: Int
    public var bitsPerEntry: Int
    public var entries: [UInt16]

    /// Reads a LUT from a descriptor and data. `signedInput` reads the first mapped value as SS
    /// (for signed pixels). A data length that fits neither 8- nor 16-bit entries is an error.
    public init(descriptor descriptorBytes: [UInt8], data: [UInt8], signedInput: Bool, name: String) throws {
        let descriptor = littleEndian(descriptorBytes, width: 2).map { UInt16($0) }
        guard descriptor.count == 3 else {
            throw ImagingError(.invalidPixelModule, "\(name) descriptor has \(descriptor.count) values, not 3")
        }
        let count = descriptor[0] == 0 ? 65536 : Int(descriptor[0])
        firstMapped = signedInput ? Int(Int16(bitPattern: descriptor[1])) : Int(descriptor[1])
        bitsPerEntry = Int(descriptor[2])
        guard (1...16).contains(bitsPerEntry) else {
            throw ImagingError(.invalidPixelModule, "\(name) descriptor gives \(bitsPerEntry) bits per entry")
        }
        if data.count == count * 2 || (data.count == count * 2 + 2 && count % 2 == 1) {
            entries = littleEndian(Array(data.prefix(count * 2)), width: 2).map { UInt16($0) }
        } else if bitsPerEntry <= 8 && (data.count == count || data.count == count + 1) {
            // 8-bit entries packed two per word (PS3.3 C.7.6.3.1.6).
            entries = data.prefix(count).map { UInt16($0) }
        } else {
            throw ImagingError(.invalidPixelModule,
                               "\(name) has \(data.count) bytes of data for \(count) entries of \(bitsPerEntry) bits")
        }
    }

    public subscript(input: Int) -> UInt16 {
        let index = min(max(input - firstMapped, 0), entries.count - 1)
        return entries[index]
    }

    /// Largest value an entry can hold.
    public var maximumEntry: Int { (1 << bitsPerEntry) - 1 }

    /// The first LUT of a sequence such as Modality LUT Sequence or VOI LUT Sequence.
    static func first(in sequence: Tag, of dataSet: DataSet, signedInput: Bool, name: String) throws -> LookupTable? {
        guard let item = dataSet.items(sequence)?.first else { return nil }
        guard let descriptor = item.bytes(.lutDescriptor), let data = item.bytes(.lutData) else {
            throw ImagingError(.invalidPixelModule, "\(name) item lacks LUT Descriptor or LUT Data")
        }
        return try LookupTable(descriptor: descriptor, data: data, signedInput: signedInput, name: name)
    }
}

/// Palette Color Lookup Tables (PS3.3 C.7.6.3.1.5): one LUT per channel, same descriptor.
struct Palette: Sendable {
    var red: LookupTable
    var green: LookupTable
    var blue: LookupTable

    init(_ dataSet: DataSet, signedInput: Bool) throws {
        func channel(_ descriptor: Tag, _ data: Tag, _ name: String) throws -> LookupTable {
            guard let descriptorBytes = dataSet.bytes(descriptor) else {
                throw ImagingError(.invalidPixelModule, "PALETTE COLOR without the \(name) palette descriptor")
            }
            guard let dataBytes = dataSet.bytes(data) else {
                throw ImagingError(.unsupported, "PALETTE COLOR without \(name) palette data (segmented palettes "
                                   + "are not supported)")
            }
            return try LookupTable(descriptor: descriptorBytes, data: dataBytes, signedInput: signedInput,
                                   name: "the \(name) palette")
        }
        red = try channel(.redPaletteColorLookupTableDescriptor, .redPaletteColorLookupTableData, "red")
        green = try channel(.greenPaletteColorLookupTableDescriptor, .greenPaletteColorLookupTableData, "green")
        blue = try channel(.bluePaletteColorLookupTableDescriptor, .bluePaletteColorLookupTableData, "blue")
    }
}
