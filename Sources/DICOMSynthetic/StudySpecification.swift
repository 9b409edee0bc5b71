import DICOMCore

/// What a synthetic study looks like: modality, shape, size per instance, encoding.
public struct StudySpecification: Sendable {
    public enum Modality: String, Sendable, CaseIterable {
        case CT, MR
    }

    public var modality: Modality
    public var seriesCount: Int
    public var instancesPerSeries: Int
    /// Approximate size of each file in bytes (header plus 16-bit pixel data); at least 8 KB.
    public var instanceSize: Int
    public var transferSyntax: TransferSyntax
    public var patientName: String
    public var patientID: String
    /// Above one, each series is a single multi-frame instance of this many frames, streamed to
    /// disk frame by frame (for files of a gigabyte or more).
    public var framesPerInstance: Int
    /// Multi-frame Pixel Data left all zero and written as a hole (a sparse file where the file
    /// system allows): a gigabyte-sized instance in milliseconds, for size and memory tests where
    /// computing the slice pattern pixel by pixel would take most of the time.
    public var blankPixelData: Bool

    public init(modality: Modality = .CT, seriesCount: Int = 1, instancesPerSeries: Int = 10,
                instanceSize: Int = 512 * 1024, transferSyntax: TransferSyntax = .explicitVRLittleEndian,
                patientName: String = "Doe^Jane", patientID: String = "TANDEM-0001", framesPerInstance: Int = 1,
                blankPixelData: Bool = false) {
        self.modality = modality
        self.seriesCount = seriesCount
        self.instancesPerSeries = instancesPerSeries
        self.instanceSize = instanceSize
        self.transferSyntax = transferSyntax
        self.patientName = patientName
        self.patientID = patientID
        self.framesPerInstance = framesPerInstance
        self.blankPixelData = blankPixelData
    }

    /// Bytes of header a synthetic instance carries before its pixel data (measured, rounded up).
    static let headerAllowance = 1_600

    /// Rows and columns of a square-ish 16-bit frame that brings a file close to `instanceSize`.
    var frameShape: (rows: Int, columns: Int) {
        let perFrame = framesPerInstance > 1 ? instanceSize / framesPerInstance
                                              : instanceSize - Self.headerAllowance
        let pixels = max(64, perFrame / 2)
        let side = Int(Double(pixels).squareRoot())
        return (rows: max(8, pixels / side), columns: max(8, side))
    }
}
