import Foundation

/// Where blocking work runs (fsync, parsing a written file, reading or decoding a file, bcrypt):
/// threads of its own, never `DispatchQueue.global()`. On Linux, Swift's global executor runs
/// every task on that same default-QoS root queue, which has one thread per core and cannot tell
/// that a thread blocked: two fsyncs there stop every task of the process (an association's
/// reader, a STOW-RS body) until they return. This pool starts a thread whenever work arrives and
/// none is idle, up to `maximumThreads`; beyond that work queues (the disk is then the limit).
public enum BlockingWork {
    /// Enough for every association or request of a busy node to wait on the disk at once.
    public static let maximumThreads = 64

    /// Runs `work` on a pool thread and resumes with its result.
    public static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            pool.submit { continuation.resume(with: Result { try work() }) }
        }
    }

    /// Runs `work`, which cannot fail, on a pool thread and resumes with its result.
    public static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            pool.submit { continuation.resume(returning: work()) }
        }
    }

    /// Starts `work` on a pool thread without waiting for it.
    public static func start(_ work: @escaping @Sendable () -> Void) {
        pool.submit(work)
    }

    private static let pool = ElasticThreadPool(maximumThreads: maximumThreads, name: "tandem.blocking")
}

/// Threads started on demand that stay for the process's life, taking work in arrival order.
/// Work that may wait on a client for long (a response relayed chunk by chunk) gets a pool of its
/// own, so slow readers cannot take the threads the archive's fsyncs need.
public final class ElasticThreadPool: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [@Sendable () -> Void] = []
    private var threads = 0
    private var idle = 0
    private let maximumThreads: Int
    private let name: String

    public init(maximumThreads: Int, name: String) {
        self.maximumThreads = maximumThreads
        self.name = name
    }

    public func submit(_ work: @escaping @Sendable () -> Void) {
        condition.lock()
        queue.append(work)
        // An idle thread takes it; otherwise a new one, while under the limit.
        let startThread = idle < queue.count && threads < maximumThreads
        if startThread { threads += 1 }
        condition.signal()
        condition.unlock()
        if startThread {
            let thread = Thread { [self] in serve() }
            thread.name = name
            thread.start()
        }
    }

    private func serve() {
        while true {
            condition.lock()
            idle += 1
            while queue.isEmpty { condition.wait() }
            idle -= 1
            let work = queue.removeFirst()
            condition.unlock()
            work()
        }
    }
}
