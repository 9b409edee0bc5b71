/// The VR of an element read from an implicit VR syntax (PS3.5 §7.1.3, Annex A.1): taken from
/// the data dictionary; group lengths are UL and Private Creators LO (PS3.5 §7.8.1); other
/// private or unknown tags are UN.
func implicitVR(for tag: Tag) -> VR {
    if tag.isGroupLength { return .UL }
    if tag.isPrivateCreator { return .LO }
    if tag.isPrivate { return .UN }
    if let entry = DataDictionary.entry(for: tag) {
        // "OB or OW" is OW in implicit VR (PS3.5 §A.1 for Pixel Data; likewise the others).
        if entry.vrs.contains(.OB) && entry.vrs.contains(.OW) { return .OW }
        return entry.vr
    }
    return commandElementVRs[tag.value] ?? .UN
}

/// Command elements (PS3.7 Annex E), always encoded implicit VR: the DIMSE layer reads them
/// without a VR in the stream, and PS3.6 does not list them.
private let commandElementVRs: [UInt32: VR] = [
    0x0000_0002: .UI, 0x0000_0003: .UI, 0x0000_0100: .US, 0x0000_0110: .US, 0x0000_0120: .US,
    0x0000_0600: .AE, 0x0000_0700: .US, 0x0000_0800: .US, 0x0000_0900: .US, 0x0000_0901: .AT,
    0x0000_0902: .LO, 0x0000_0903: .US, 0x0000_1000: .UI, 0x0000_1001: .UI, 0x0000_1002: .US,
    0x0000_1005: .AT, 0x0000_1008: .US, 0x0000_1020: .US, 0x0000_1021: .US, 0x0000_1022: .US,
    0x0000_1023: .US, 0x0000_1030: .AE, 0x0000_1031: .US,
]
