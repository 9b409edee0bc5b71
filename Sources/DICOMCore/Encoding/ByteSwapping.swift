/// Reverses the bytes of each binary word of a value, converting between the little-endian order
/// values are held in and big-endian encoding (PS3.5 §7.3). AT swaps each 16-bit half; OB, UN
/// and text are byte streams and stay as they are. A trailing partial word is left untouched.
func swapWordBytes(_ bytes: inout [UInt8], vr: VR) {
    switch vr.binaryWordSize {
    case 2: swapWords(&bytes, as: UInt16.self)
    case 4: swapWords(&bytes, as: UInt32.self)
    case 8: swapWords(&bytes, as: UInt64.self)
    default: return
    }
}

private func swapWords<T: FixedWidthInteger>(_ bytes: inout [UInt8], as type: T.Type) {
    let size = MemoryLayout<T>.size
    bytes.withUnsafeMutableBytes { raw in
        var offset = 0
        while offset + size <= raw.count {
            let word = raw.loadUnaligned(fromByteOffset: offset, as: T.self)
            raw.storeBytes(of: word.byteSwapped, toByteOffset: offset, as: T.self)
            offset += size
        }
    }
}
