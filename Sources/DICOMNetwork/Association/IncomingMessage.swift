import NIOCore

/// A DIMSE message as the upper layer delivers it (PS3.8 Annex E): the whole command set,
/// then, if the command announces one, the data set as a stream of fragments.
public struct IncomingMessage {
    public let presentationContext: AcceptedPresentationContext
    /// The command, decoded once from its command set (PS3.7 §6.3.1).
    public let command: DIMSECommand
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
