import Foundation
import Synchronization
import Testing
@testable import DICOMCore

/// `BlockingWork` runs blocked work side by side instead of on the executor's one thread per core.
@Suite struct BlockingWorkTests {
    /// Waits (bounded, so a failure is reported instead of hanging the run) until `done` is true.
    static func eventually(_ done: () -> Bool) async throws -> Bool {
        for _ in 0..<3000 where !done() { try await Task.sleep(for: .milliseconds(10)) }
        return done()
    }

    @Test("every job of a full pool runs at once: each waits until all have started")
    func fullWidth() async throws {
        let pool = ElasticThreadPool(maximumThreads: 16, name: "test.blocking")
        let started = Atomic(0), finished = Atomic(0)
        for _ in 0..<16 {
            pool.submit {
                started.add(1, ordering: .sequentiallyConsistent)
                // A barrier: only passes if the other 15 run meanwhile on threads of their own.
                for _ in 0..<30_000 where started.load(ordering: .sequentiallyConsistent) < 16 { usleep(1000) }
                if started.load(ordering: .sequentiallyConsistent) == 16 { finished.add(1, ordering: .sequentiallyConsistent) }
            }
        }
        #expect(try await Self.eventually { finished.load(ordering: .sequentiallyConsistent) == 16 })
    }

    @Test("beyond the limit work waits for a thread, and runs once one is free")
    func queuesBeyondTheLimit() async throws {
        let pool = ElasticThreadPool(maximumThreads: 2, name: "test.blocking")
        let release = DispatchSemaphore(value: 0)
        let order = Mutex<[Int]>([])  // the jobs that ran
        for blocker in 0..<2 {
            pool.submit {
                release.wait()
                order.withLock { $0.append(blocker) }
            }
        }
        for waiting in 2..<5 { pool.submit { order.withLock { $0.append(waiting) } } }
        try await Task.sleep(for: .milliseconds(100))
        #expect(order.withLock { $0 }.isEmpty, "a third thread ran")
        release.signal()
        release.signal()
        #expect(try await Self.eventually { order.withLock { $0.count } == 5 })
        #expect(order.withLock { $0.sorted() } == [0, 1, 2, 3, 4])
    }

    @Test("run returns the work's value and rethrows its error; tasks run while it blocks")
    func runResumesTheTask() async throws {
        let gate = DispatchSemaphore(value: 0)
        // Blocks a pool thread until a task on the executor opens the gate.
        async let blocked: Int = BlockingWork.run {
            gate.wait()
            return 42
        }
        let opener = Task { gate.signal() }
        await opener.value
        #expect(try await blocked == 42)
        struct Refused: Error {}
        await #expect(throws: Refused.self) { try await BlockingWork.run { throw Refused() } }
    }
}
