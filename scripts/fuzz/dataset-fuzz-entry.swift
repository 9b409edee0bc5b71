// libFuzzer entry point for the data set and Part 10 parser (built by run-dataset-fuzzer.sh,
// not part of Package.swift). Beyond "never crash", it checks that what was read re-encodes
// to a fixed point: writing, reading back and writing again gives the same bytes.

@_cdecl("LLVMFuzzerTestOneInput")
public func datasetFuzzTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let options = ReadOptions(maximumInflatedSize: 4 << 20)
    if let file = try? DICOMFile(bytes: bytes, options: options) {
        checkFixedPoint(file, options: options)
    }
    // As an indexer reads them: a few attributes kept, small structure bounds to run into.
    var indexing = ReadOptions.indexing(retaining: [.patientID, .sopInstanceUID])
    indexing.maximumElementCount = 2_000
    indexing.maximumItemCount = 200
    indexing.maximumLoadedBytes = 4_096
    _ = try? DICOMFile(bytes: bytes, options: indexing)
    // The same bytes as a bare data set in each uncompressed syntax, as the network layer reads them.
    for syntax in TransferSyntax.uncompressed {
        guard var reader = try? DataSetReader(bytes: bytes, transferSyntax: syntax, options: options),
              let dataSet = try? reader.read(),
              let encoded = try? DataSetWriter.encode(dataSet, transferSyntax: syntax) else { continue }
        do {
            var again = try DataSetReader(bytes: encoded, transferSyntax: syntax, options: options)
            let reread = try again.read()
            let reencoded = try DataSetWriter.encode(reread, transferSyntax: syntax)
            precondition(reencoded == encoded, "re-encoding in \(syntax) is not a fixed point")
        } catch {
            preconditionFailure("our own \(syntax) output does not read back: \(error)")
        }
    }
    return 0
}

private func checkFixedPoint(_ file: DICOMFile, options: ReadOptions) {
    guard let encoded = try? file.encoded() else { return }
    do {
        let reread = try DICOMFile(bytes: encoded, options: options)
        let reencoded = try reread.encoded()
        precondition(reencoded == encoded, "Part 10 re-encoding is not a fixed point")
    } catch {
        preconditionFailure("our own Part 10 output does not read back: \(error)")
    }
}
