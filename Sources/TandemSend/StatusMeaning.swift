import DICOMNetwork

extension DIMSEStatus {
    /// The meaning of a C-STORE failure status, for the message naming it (PS3.4 Table B.2-1,
    /// PS3.7 Annex C).
    var storeFailureMeaning: String {
        switch rawValue {
        case 0xA700...0xA7FF: return "refused: out of resources"
        case 0xA900...0xA9FF: return "error: data set does not match SOP class"
        case 0xC000...0xCFFF: return "error: cannot understand"
        case 0x0122: return "refused: SOP class not supported"
        case 0x0124: return "refused: not authorized"
        case 0x0111: return "duplicate SOP instance"
        case 0x0110: return "processing failure"
        case 0x0211: return "unrecognized operation"
        default: return "failure"
        }
    }
}
