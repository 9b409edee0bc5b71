/// Reverses the bytes of each binary word of a value, converting between the little-endian order
/// values are held in and big-endian encoding (PS3.5 §7.3). AT swaps each 16-bit half; OB, UN
/// and text are byte streams and stay as they are. A trailing partial word is left untouched.
func swapWordBytes(_ bytes: inout [UInt8], vr: VR) {
    guard let size = vr.binaryWordSize, size > 1 else { return }
    let whole = bytes.count - bytes.count % size
    bytes.withUnsafeMutableBufferPointer { buffer in
        var start = 0
        while start < whole {
            var low = start
            var high = start + size - 1
            while low < high {
                buffer.swapAt(low, high)
                low += 1
                high -= 1
            }
            start += size
        }
    }
}
