/// Why a frame could not be extracted, decoded, rendered or transcoded. The message names the
/// attribute or structure at fault, so a failed route or an HTTP error can say why.
public struct ImagingError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Hashable, Sendable {
        /// The Image Pixel module (PS3.3 C.7.6.3) is missing an attribute or holds an invalid one.
        case invalidPixelModule
        /// Valid, but not something this library decodes or renders (e.g. MPEG, 1-bit pixels).
        case unsupported
        /// A frame index outside 0..<Number of Frames.
        case frameOutOfRange
        /// Pixel Data does not hold what the header describes: too short, fragments or offset
        /// tables that do not add up (PS3.5 §A.4).
        case malformedPixelData
        /// The codec rejected the codestream.
        case corruptCodestream
        /// The codestream's own header disagrees with Rows, Columns, Samples or Bits.
        case codestreamMismatch
        /// A frame larger than the configured limit.
        case frameTooLarge
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
