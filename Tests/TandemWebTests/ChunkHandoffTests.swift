import NIOConcurrencyHelpers
import NIOCore
import Testing
@testable import TandemWeb

@Suite("chunk hand-off")
struct ChunkHandoffTests {
    struct Refused: Error {}

    @Test("every chunk arrives in order, and the producer is never more than two chunks ahead of a slow consumer")
    func backPressure() async throws {
        let produced = NIOLockedValueBox(0)
        var received: [UInt8] = []
        var mostAhead = 0
        try await ChunkHandoff.relay({ output in
            for value in 0..<200 {
                try output(ByteBuffer(bytes: [UInt8(value)]))
                produced.withLockedValue { $0 += 1 }
            }
        }) { chunk in
            received += Array(chunk.readableBytesView)
            mostAhead = max(mostAhead, produced.withLockedValue { $0 } - received.count)
            try await Task.sleep(for: .microseconds(200))
        }
        #expect(received == (0..<200).map(UInt8.init))
        #expect(mostAhead <= 2, "the producer ran \(mostAhead) chunks ahead")
    }

    @Test("a producer's error reaches the consumer after the chunks before it")
    func producerError() async {
        var received: [UInt8] = []
        await #expect(throws: Refused.self) {
            try await ChunkHandoff.relay({ output in
                try output(ByteBuffer(bytes: [1]))
                throw Refused()
            }) { received += Array($0.readableBytesView) }
        }
        #expect(received == [1])
    }

    @Test("a consumer's error stops the producer at its next chunk")
    func consumerError() async throws {
        let produced = NIOLockedValueBox(0)
        let stopped = NIOLockedValueBox(false)
        await #expect(throws: Refused.self) {
            try await ChunkHandoff.relay({ output in
                defer { stopped.withLockedValue { $0 = true } }
                for value in 0..<1_000 {
                    try output(ByteBuffer(bytes: [UInt8(value % 256)]))
                    produced.withLockedValue { $0 += 1 }
                }
            }) { _ in throw Refused() }
        }
        for _ in 0..<200 where !stopped.withLockedValue({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
        #expect(stopped.withLockedValue { $0 })
        #expect(produced.withLockedValue { $0 } <= 2)
    }
}
