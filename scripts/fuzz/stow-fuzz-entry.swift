// libFuzzer entry point for what a STOW-RS body goes through before ingest (built by
// run-stow-fuzzer.sh, not part of Package.swift): the multipart/related parser and each part's
// File Meta Information. Beyond "never crash", it checks that a body fed in pieces yields the
// parts a body fed whole does, and that reading a part's head as it grows (as StowPart does,
// stopping at the first answer) answers what reading the whole part answers.

let boundary = "fuzz-boundary"

@_cdecl("LLVMFuzzerTestOneInput")
public func stowFuzzTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let whole = parts(of: bytes, pieceSizes: [max(bytes.count, 1)])
    let pieces = parts(of: bytes, pieceSizes: [1, 5, 64, 3, 1_000, 17].rotated(by: Int(bytes.first ?? 0)))
    if let whole, let pieces {
        precondition(whole == pieces, "a body fed in pieces gives other parts than fed whole")
    }
    for part in pieces ?? [] { checkHeadAsItGrows(part.content) }
    return 0
}

struct Part: Equatable {
    var headers: [String: String]
    var content: [UInt8] = []
}

/// The parts of a body, their content joined; nil when the parser refuses it.
func parts(of body: [UInt8], pieceSizes: [Int]) -> [Part]? {
    guard var parser = try? MultipartParser(boundary: boundary) else { return nil }
    var result: [Part] = []
    var index = 0, turn = 0
    do {
        while index < body.count {
            let end = min(body.count, index + pieceSizes[turn % pieceSizes.count])
            for event in try parser.feed(body[index..<end]) {
                switch event {
                case .partBegin(let headers): result.append(Part(headers: headers))
                case .partData(let data): result[result.count - 1].content += data
                case .partEnd, .end: break
                }
            }
            index = end
            turn += 1
        }
        try parser.finish()
    } catch {
        return nil
    }
    return result
}

/// Fed 7 bytes at a time, the first answer other than "need more" must be the whole part's.
func checkHeadAsItGrows(_ content: [UInt8]) {
    var head: [UInt8] = []
    var index = 0
    while index < content.count {
        head += content[index..<min(content.count, index + 7)]
        index += 7
        let outcome = Part10Header.parse(head)
        if outcome == .needMore { continue }
        precondition(Part10Header.parse(content) == outcome, "a part's head read as it grows answers otherwise")
        return
    }
}

extension Array {
    /// Rotated by `seed`, so each input cuts its body at other places.
    func rotated(by seed: Int) -> [Element] {
        let offset = seed % count
        return Array(self[offset...] + self[..<offset])
    }
}
