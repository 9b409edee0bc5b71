// libFuzzer entry point for the PDU decoder (PS3.8 §9.3). Built by run-pdu-fuzzer.sh together
// with Sources/DICOMNetwork/PDU only, which need nothing but the standard library.
//
// Invariants checked: decoding never crashes or over-reads (AddressSanitizer), and any PDU
// that decodes re-encodes to bytes that decode to the same value.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPDU(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let pdu = try? PDU.decode(bytes: bytes) else { return 0 }
    guard let encoded = try? pdu.encode() else { return 0 }  // a field too long to re-encode
    guard let again = try? PDU.decode(bytes: encoded), again == pdu else {
        fatalError("round trip changed the PDU: \(pdu)")
    }
    return 0
}
