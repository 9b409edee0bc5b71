import NIOCore

/// A DIMSE message as the upper layer delivers it (PS3.8 Annex E): the whole command set,
/// then, if the command announces one, the data set as a stream of fragments.
public struct IncomingMessage {
    public let presentationContext: AcceptedPresentationContext
    /// The command set, Implicit VR Little Endian (PS3.7 §6.3.1).
    public let command: [UInt8]
    /// The data set fragments, in order; nil when the command has no data set. Reading them
    /// reads from the network, so they arrive no faster than they are consumed.
    public let dataSet: DataSetFragments?
}

/// The fragments of one data set, pulled from the association as they are iterated.
public struct DataSetFragments: AsyncSequence {
    public typealias Element = [UInt8]
    let association: Association

    public struct AsyncIterator: AsyncIteratorProtocol {
        let association: Association
        public mutating func next() async throws -> [UInt8]? {
            try await association.nextDataSetFragment()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(association: association) }
}

/// Where an outgoing data set's bytes come from, already in the context's transfer syntax.
public enum DataSetSource: Sendable {
    case bytes([UInt8])
    /// `length` bytes of a file from `offset` (e.g. the data set after a Part 10 header),
    /// read one fragment at a time.
    case file(path: String, offset: UInt64, length: UInt64)
}

/// Whether a command set announces a data set: Command Data Set Type (0000,0800) other than
/// 0101H (PS3.7 §E.1). Walks the Implicit VR Little Endian elements of group 0000.
enum CommandSetInspection {
    static func hasDataSet(_ command: [UInt8]) -> Bool? {
        var offset = 0
        while offset + 8 <= command.count {
            let group = UInt16(command[offset]) | UInt16(command[offset + 1]) << 8
            let element = UInt16(command[offset + 2]) | UInt16(command[offset + 3]) << 8
            let length = Int(command[offset + 4]) | Int(command[offset + 5]) << 8
                | Int(command[offset + 6]) << 16 | Int(command[offset + 7]) << 24
            offset += 8
            guard length <= command.count - offset else { return nil }
            if group == 0x0000 && element == 0x0800 {
                guard length == 2 else { return nil }
                return (UInt16(command[offset]) | UInt16(command[offset + 1]) << 8) != 0x0101
            }
            offset += length
        }
        return nil
    }
}
