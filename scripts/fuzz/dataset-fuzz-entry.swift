// libFuzzer entry point for the data set and Part 10 parser (built by run-dataset-fuzzer.sh,
// not part of Package.swift). Beyond "never crash", it checks that what was read re-encodes
// to a fixed point (writing, reading back and writing again gives the same bytes), and that a
// data set read as it arrives reads as the whole input does.

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
    for syntax in TransferSyntax.uncompressed { checkArriving(bytes, syntax: syntax, options: indexing) }
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

/// Fed in pieces as a receiver feeds it, a data set read from what `ArrivingDataSet` kept must be
/// what a reader of the whole input gives, data set or error alike.
private func checkArriving(_ bytes: [UInt8], syntax: TransferSyntax, options: ReadOptions) {
    var arriving = ArrivingDataSet(transferSyntax: syntax, startOffset: 132, options: options, keptByteLimit: 16_384)
    let sizes = [1, 3, 7, 64, 1_000, 5]
    var index = 0, turn = Int(bytes.first ?? 0)
    while index < bytes.count {
        let end = min(bytes.count, index + sizes[turn % sizes.count])
        bytes[index..<end].withUnsafeBytes { arriving.append($0) }
        index = end
        turn += 1
    }
    let arrived: Result<DataSet, DICOMError>
    do {
        guard let dataSet = try arriving.read() else { return }
        arrived = .success(dataSet)
    } catch {
        arrived = .failure(error as! DICOMError)
    }
    let whole: Result<DataSet, DICOMError>
    do {
        var reader = try DataSetReader(reader: ByteReader(source: InMemoryByteSource(bytes), startOffset: 132),
                                       transferSyntax: syntax, options: options)
        whole = .success(try reader.read())
    } catch {
        whole = .failure(error as! DICOMError)
    }
    precondition(arrived == whole, "the arriving data set of \(syntax) reads otherwise than the whole input")
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
