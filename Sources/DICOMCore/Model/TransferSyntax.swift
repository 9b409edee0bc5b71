/// A transfer syntax (PS3.5 §10): how a data set is encoded.
public struct TransferSyntax: Hashable, Sendable, CustomStringConvertible {
    public let uid: String
    /// VRs are written in each element header (§7.1.2) rather than taken from the dictionary (§7.1.3).
    public let isExplicitVR: Bool
    public let isBigEndian: Bool
    /// The data set after the file meta information is a raw deflate stream (RFC 1951, §A.5).
    public let isDeflated: Bool
    /// Pixel data is encapsulated in fragments (§A.4) and carried through untouched.
    public let isEncapsulated: Bool

    private init(_ uid: String, explicit: Bool = true, bigEndian: Bool = false,
                 deflated: Bool = false, encapsulated: Bool = false) {
        self.uid = uid
        isExplicitVR = explicit
        isBigEndian = bigEndian
        isDeflated = deflated
        isEncapsulated = encapsulated
    }

    /// The transfer syntax with this UID. A UID this table does not know is taken to be one of
    /// the many encapsulated syntaxes, all of which are Explicit VR Little Endian (§A.4).
    public init(uid: String) {
        let trimmed = trimUIDPadding(uid)
        self = Self.known.first { $0.uid == trimmed } ?? TransferSyntax(trimmed, encapsulated: true)
    }

    /// The transfer syntax with this UID, if it is one of those listed here (nil for any other).
    public init?(knownUID uid: String) {
        guard let syntax = Self.known.first(where: { $0.uid == uid }) else { return nil }
        self = syntax
    }

    /// True for the four syntaxes whose pixel data is native (not encapsulated).
    public var isUncompressed: Bool { !isEncapsulated }

    public var name: String { Self.names[uid] ?? uid }
    public var description: String { name }

    public static let implicitVRLittleEndian = TransferSyntax("1.2.840.10008.1.2", explicit: false)
    public static let explicitVRLittleEndian = TransferSyntax("1.2.840.10008.1.2.1")
    public static let deflatedExplicitVRLittleEndian = TransferSyntax("1.2.840.10008.1.2.1.99", deflated: true)
    /// Retired, still met in old archives (PS3.5 §A.3).
    public static let explicitVRBigEndian = TransferSyntax("1.2.840.10008.1.2.2", bigEndian: true)

    public static let jpegBaseline = TransferSyntax("1.2.840.10008.1.2.4.50", encapsulated: true)
    public static let jpegExtended = TransferSyntax("1.2.840.10008.1.2.4.51", encapsulated: true)
    public static let jpegLossless = TransferSyntax("1.2.840.10008.1.2.4.57", encapsulated: true)
    public static let jpegLosslessSV1 = TransferSyntax("1.2.840.10008.1.2.4.70", encapsulated: true)
    public static let jpegLSLossless = TransferSyntax("1.2.840.10008.1.2.4.80", encapsulated: true)
    public static let jpegLSNearLossless = TransferSyntax("1.2.840.10008.1.2.4.81", encapsulated: true)
    public static let jpeg2000Lossless = TransferSyntax("1.2.840.10008.1.2.4.90", encapsulated: true)
    public static let jpeg2000 = TransferSyntax("1.2.840.10008.1.2.4.91", encapsulated: true)
    public static let htj2kLossless = TransferSyntax("1.2.840.10008.1.2.4.201", encapsulated: true)
    public static let htj2kLosslessRPCL = TransferSyntax("1.2.840.10008.1.2.4.202", encapsulated: true)
    public static let htj2k = TransferSyntax("1.2.840.10008.1.2.4.203", encapsulated: true)
    public static let mpeg2MainProfile = TransferSyntax("1.2.840.10008.1.2.4.100", encapsulated: true)
    public static let mpeg4AVCH264HighProfile = TransferSyntax("1.2.840.10008.1.2.4.102", encapsulated: true)
    public static let hevcH265MainProfile = TransferSyntax("1.2.840.10008.1.2.4.107", encapsulated: true)
    public static let rleLossless = TransferSyntax("1.2.840.10008.1.2.5", encapsulated: true)

    /// The syntaxes whose pixel data is native, in the order of preference for proposing them.
    public static let uncompressed: [TransferSyntax] = [
        .explicitVRLittleEndian, .implicitVRLittleEndian, .deflatedExplicitVRLittleEndian, .explicitVRBigEndian,
    ]

    private static let known: [TransferSyntax] = uncompressed + [
        .jpegBaseline, .jpegExtended, .jpegLossless, .jpegLosslessSV1, .jpegLSLossless, .jpegLSNearLossless,
        .jpeg2000Lossless, .jpeg2000, .htj2kLossless, .htj2kLosslessRPCL, .htj2k, .mpeg2MainProfile,
        .mpeg4AVCH264HighProfile, .hevcH265MainProfile, .rleLossless,
    ]

    private static let names: [String: String] = [
        "1.2.840.10008.1.2": "Implicit VR Little Endian",
        "1.2.840.10008.1.2.1": "Explicit VR Little Endian",
        "1.2.840.10008.1.2.1.99": "Deflated Explicit VR Little Endian",
        "1.2.840.10008.1.2.2": "Explicit VR Big Endian",
        "1.2.840.10008.1.2.4.50": "JPEG Baseline (Process 1)",
        "1.2.840.10008.1.2.4.51": "JPEG Extended (Process 2 & 4)",
        "1.2.840.10008.1.2.4.57": "JPEG Lossless, Non-Hierarchical (Process 14)",
        "1.2.840.10008.1.2.4.70": "JPEG Lossless, Non-Hierarchical, First-Order Prediction",
        "1.2.840.10008.1.2.4.80": "JPEG-LS Lossless",
        "1.2.840.10008.1.2.4.81": "JPEG-LS Lossy (Near-Lossless)",
        "1.2.840.10008.1.2.4.90": "JPEG 2000 (Lossless Only)",
        "1.2.840.10008.1.2.4.91": "JPEG 2000",
        "1.2.840.10008.1.2.4.201": "High-Throughput JPEG 2000 (Lossless Only)",
        "1.2.840.10008.1.2.4.202": "High-Throughput JPEG 2000 with RPCL Options (Lossless Only)",
        "1.2.840.10008.1.2.4.203": "High-Throughput JPEG 2000",
        "1.2.840.10008.1.2.4.100": "MPEG2 Main Profile / Main Level",
        "1.2.840.10008.1.2.4.102": "MPEG-4 AVC/H.264 High Profile / Level 4.1",
        "1.2.840.10008.1.2.4.107": "HEVC/H.265 Main Profile / Level 5.1",
        "1.2.840.10008.1.2.5": "RLE Lossless",
    ]
}

/// A UID value without the trailing NUL (or, in lax writers, spaces) that pads it to even length.
func trimUIDPadding(_ uid: String) -> String {
    var scalars = Substring(uid)
    while let last = scalars.last, last == "\0" || last == " " { scalars.removeLast() }
    while let first = scalars.first, first == " " { scalars.removeFirst() }
    return String(scalars)
}
