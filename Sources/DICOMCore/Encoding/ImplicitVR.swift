/// The VR of an element read from an implicit VR syntax (PS3.5 §7.1.3, Annex A.1): the data
/// dictionary's implicit-VR default, which also covers command elements, group lengths (UL),
/// repeating groups and Private Creators (LO). Private data elements and tags the dictionary does
/// not know are UN.
func implicitVR(for tag: Tag) -> VR {
    guard let entry = DataDictionary.entry(for: tag), !entry.vrs.isEmpty else { return .UN }
    return entry.vr
}
