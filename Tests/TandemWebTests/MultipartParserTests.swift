import Testing
@testable import TandemWeb

@Suite("multipart/related parser")
struct MultipartParserTests {
    /// Two parts, the second empty; a preamble and an epilogue the parser must skip.
    static let body = Array((
        "preamble\r\n"
        + "--b0undary\r\nContent-Type: application/dicom\r\n\r\n"   // part 1 headers
        + "first\r\n--b0und"                                          // content that looks like a delimiter start
        + "\r\n--b0undary  \r\nContent-Type: application/dicom\r\n\r\n"  // delimiter with trailing whitespace
        + "\r\n--b0undary--\r\nepilogue").utf8)

    static func parse(_ body: [UInt8], chunk: Int) throws -> [MultipartParser.Event] {
        var parser = try MultipartParser(boundary: "b0undary")
        var events: [MultipartParser.Event] = []
        var start = 0
        while start < body.count {
            events += try parser.feed(body[start..<min(start + chunk, body.count)])
            start += chunk
        }
        try parser.finish()
        return events
    }

    /// Joins adjacent data events, which depend on chunking.
    static func normalized(_ events: [MultipartParser.Event]) -> [MultipartParser.Event] {
        var result: [MultipartParser.Event] = []
        for event in events {
            if case .partData(let more) = event, case .partData(let earlier)? = result.last {
                result[result.count - 1] = .partData(earlier + more)
            } else if case .partData(let bytes) = event, bytes.isEmpty {
                continue
            } else {
                result.append(event)
            }
        }
        return result
    }

    @Test("parts, headers and content come out the same whether fed whole or one byte at a time")
    func chunking() throws {
        let expected: [MultipartParser.Event] = [
            .partBegin(headers: ["content-type": "application/dicom"]),
            .partData(Array("first\r\n--b0und".utf8)),
            .partEnd,
            .partBegin(headers: ["content-type": "application/dicom"]),
            .partEnd,
            .end,
        ]
        for chunk in [1, 2, 7, 64, Self.body.count] {
            #expect(Self.normalized(try Self.parse(Self.body, chunk: chunk)) == expected, "chunk \(chunk)")
        }
    }

    @Test("a part without headers starts its content after the CRLF, though the content holds a blank line")
    func partWithoutHeaders() throws {
        // RFC 2046 §5.1.1: no header lines, so the delimiter line is followed by CRLF and content;
        // binary content may contain CRLF CRLF, which must not be taken for the header block's end
        // (the STOW fuzzer found it when the body arrived in one chunk).
        let body = Array("--b0undary\r\n\r\nbytes\r\n\r\nmore: bytes\r\n--b0undary--\r\n".utf8)
        let expected: [MultipartParser.Event] = [
            .partBegin(headers: [:]), .partData(Array("bytes\r\n\r\nmore: bytes".utf8)), .partEnd, .end,
        ]
        for chunk in [1, 3, 16, body.count] {
            #expect(Self.normalized(try Self.parse(body, chunk: chunk)) == expected, "chunk \(chunk)")
        }
    }

    @Test("a body that stops before its closing delimiter, or has no parts, is an error")
    func truncated() throws {
        var parser = try MultipartParser(boundary: "b0undary")
        _ = try parser.feed(Array("--b0undary\r\n\r\nDICM".utf8))
        #expect(throws: MultipartParser.Failure.self) { try parser.finish() }
        var empty = try MultipartParser(boundary: "b0undary")
        #expect(throws: MultipartParser.Failure.self) { _ = try empty.feed(Array("--b0undary--\r\n".utf8)) }
        #expect(throws: MultipartParser.Failure.self) { _ = try MultipartParser(boundary: "") }
    }

    @Test("headers beyond the limit and a missing opening delimiter are refused with bounded buffering")
    func bounded() throws {
        var parser = try MultipartParser(boundary: "b")
        _ = try parser.feed(Array("--b\r\n".utf8))
        #expect(throws: MultipartParser.Failure.self) {
            _ = try parser.feed([UInt8](repeating: UInt8(ascii: "h"), count: MultipartParser.maximumHeaderBytes + 1))
        }
        var noDelimiter = try MultipartParser(boundary: "b")
        #expect(throws: MultipartParser.Failure.self) {
            for _ in 0..<100 { _ = try noDelimiter.feed([UInt8](repeating: 0x41, count: 1_024)) }
        }
    }
}
