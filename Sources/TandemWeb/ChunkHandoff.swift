import DICOMCore
import Dispatch
import NIOConcurrencyHelpers
import NIOCore

/// Hands byte chunks from blocking work on a thread of its own (a WADO-RS body, its files read
/// and its images transcoded frame by frame) to an async consumer (a response body writer), one
/// chunk at a time: the producer waits until its chunk is taken, so memory holds about two chunks
/// whatever the total, and a slow client slows the producer instead of filling memory.
final class ChunkHandoff: Sendable {
    private struct State {
        var chunk: ByteBuffer?
        var end: Result<Void, any Error>?
        var consumer: CheckedContinuation<ByteBuffer?, any Error>?
        var cancelled = false
    }

    private let state = NIOLockedValueBox(State())
    /// Signalled when the slot is free again.
    private let slotFree = DispatchSemaphore(value: 0)

    /// One thread per relay at most (the server's connection limit bounds them), apart from
    /// `BlockingWork`: a producer waits on its client, and slow clients must not hold the threads
    /// that ingest and index reads need.
    private static let producers = ElasticThreadPool(maximumThreads: 1024, name: "tandem.relay")

    /// Runs `produce` on a thread of its own, off Swift's task threads, and hands each chunk it
    /// outputs to `consume`. A consumer error cancels the producer at its next chunk.
    static func relay(_ produce: @escaping @Sendable (_ output: (ByteBuffer) throws -> Void) throws -> Void,
                      to consume: (ByteBuffer) async throws -> Void) async throws {
        let handoff = ChunkHandoff()
        producers.submit {
            do {
                try produce { try handoff.put($0) }
                handoff.finish(.success(()))
            } catch {
                handoff.finish(.failure(error))
            }
        }
        do {
            while let chunk = try await handoff.next() { try await consume(chunk) }
        } catch {
            handoff.cancel()
            throw error
        }
    }

    /// Producer side: blocks until the consumer has taken `chunk`; throws once it has gone away.
    private func put(_ chunk: ByteBuffer) throws {
        let waiting: CheckedContinuation<ByteBuffer?, any Error>? = try state.withLockedValue { state in
            if state.cancelled { throw CancellationError() }
            if let consumer = state.consumer {
                state.consumer = nil
                return consumer
            }
            state.chunk = chunk
            return nil
        }
        if let waiting {
            waiting.resume(returning: chunk)
            return
        }
        slotFree.wait()
        if state.withLockedValue({ $0.cancelled }) { throw CancellationError() }
    }

    private func finish(_ end: Result<Void, any Error>) {
        let waiting = state.withLockedValue { state in
            state.end = end
            defer { state.consumer = nil }
            return state.consumer
        }
        waiting?.resume(with: end.map { nil })
    }

    private func cancel() {
        state.withLockedValue { $0.cancelled = true }
        slotFree.signal()
    }

    /// Consumer side: the next chunk, nil at the end; rethrows the producer's error.
    private func next() async throws -> ByteBuffer? {
        try await withCheckedThrowingContinuation { continuation in
            enum Answer { case chunk(ByteBuffer), end(Result<Void, any Error>), wait }
            let answer: Answer = state.withLockedValue { state in
                if let chunk = state.chunk {
                    state.chunk = nil
                    return .chunk(chunk)
                }
                if let end = state.end { return .end(end) }
                state.consumer = continuation
                return .wait
            }
            switch answer {
            case .chunk(let chunk):
                slotFree.signal()
                continuation.resume(returning: chunk)
            case .end(let end):
                continuation.resume(with: end.map { nil })
            case .wait:
                break
            }
        }
    }
}
