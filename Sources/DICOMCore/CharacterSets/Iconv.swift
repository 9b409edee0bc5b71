#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// One iconv conversion descriptor. An `iconv_t` carries shift state and is not thread-safe,
/// so a converter is only ever used by the one caller that checked it out of `IconvPool`.
final class IconvConverter {
    private let descriptor: iconv_t

    /// nil when the platform's iconv does not know one of the encodings.
    init?(from source: String, to target: String) {
        let descriptor = iconv_open(target, source)
        guard let descriptor, descriptor != iconv_t(bitPattern: -1) else { return nil }
        self.descriptor = descriptor
    }

    deinit { iconv_close(descriptor) }

    /// Converts a complete input; nil when it holds an invalid or incomplete sequence, or a
    /// character the target encoding cannot represent.
    func convert(_ input: [UInt8]) -> [UInt8]? {
        _ = iconv(descriptor, nil, nil, nil, nil)  // back to the initial shift state
        var output = [UInt8](repeating: 0, count: input.count + 16)  // grows on E2BIG
        var written = 0
        var input = input
        return input.withUnsafeMutableBufferPointer { inputBuffer -> [UInt8]? in
            var inputPointer = inputBuffer.baseAddress.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: CChar.self) }
            var inputLeft = inputBuffer.count
            while true {
                let flushing = inputLeft == 0
                let status = output.withUnsafeMutableBytes { outputBuffer -> Int in
                    var outputPointer = outputBuffer.baseAddress.map { $0.assumingMemoryBound(to: CChar.self) + written }
                    var outputLeft = outputBuffer.count - written
                    // A nil input pointer asks iconv to write the sequence returning to the initial state.
                    let status = flushing
                        ? iconv(descriptor, nil, nil, &outputPointer, &outputLeft)
                        : iconv(descriptor, &inputPointer, &inputLeft, &outputPointer, &outputLeft)
                    written = outputBuffer.count - outputLeft
                    return status
                }
                if status != -1 {
                    if flushing { break }
                    continue  // all input converted; flush next
                }
                guard errno == E2BIG else { return nil }  // EILSEQ or EINVAL: not convertible
                output.append(contentsOf: repeatElement(0, count: output.count))
            }
            return Array(output[..<written])
        }
    }
}

/// Lends iconv converters to concurrent callers: each descriptor is used by one thread at a
/// time and returned for reuse, since opening one per value would dominate decoding cost.
final class IconvPool: @unchecked Sendable {  // `idle` is only touched under `lock`
    static let shared = IconvPool()

    private struct Direction: Hashable {
        let source: String
        let target: String
    }

    /// Idle converters kept per direction; more are opened under load and closed on return.
    private let idleLimit = 8
    private let lock = NSLock()
    private var idle: [Direction: [IconvConverter]] = [:]

    /// Converts bytes between two iconv encodings; nil when not convertible (see `IconvConverter`).
    func convert(_ bytes: [UInt8], from source: String, to target: String) -> [UInt8]? {
        let direction = Direction(source: source, target: target)
        guard let converter = checkOut(direction) ?? IconvConverter(from: source, to: target) else { return nil }
        defer { checkIn(converter, direction) }
        return converter.convert(bytes)
    }

    private func checkOut(_ direction: Direction) -> IconvConverter? {
        lock.withLock { idle[direction]?.popLast() }
    }

    private func checkIn(_ converter: IconvConverter, _ direction: Direction) {
        lock.withLock {
            if idle[direction, default: []].count < idleLimit { idle[direction, default: []].append(converter) }
        }
    }
}
