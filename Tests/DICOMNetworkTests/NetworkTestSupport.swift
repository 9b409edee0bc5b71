import Foundation
import NIOCore
import NIOPosix
@testable import DICOMNetwork

/// Runs an acceptor on an ephemeral 127.0.0.1 port for the duration of `body`.
func withAcceptor<T>(
    _ handler: any AssociationServiceHandler, aeTitle: String = "TANDEM", limits: ConnectionLimits = ConnectionLimits(maximumAssociations: 200),
    scpRoleSOPClasses: Set<String> = [], configure: (inout AssociationConfiguration) -> Void = { _ in },
    _ body: (Int) async throws -> T
) async throws -> T {
    var configuration = AssociationConfiguration(aeTitle: try AETitle(aeTitle))
    configure(&configuration)
    let acceptor = try await AssociationAcceptor(host: "127.0.0.1", port: 0, configuration: configuration, handler: handler,
                                                scpRoleSOPClasses: scpRoleSOPClasses, limits: limits)
    let server = Task { try await acceptor.run() }
    do {
        let result = try await body(acceptor.localPort)
        await acceptor.close()
        server.cancel()
        _ = await server.result
        return result
    } catch {
        await acceptor.close()
        server.cancel()
        _ = await server.result
        throw error
    }
}

/// Runs a program to completion, its output discarded; returns its exit status.
func runProgram(_ path: String, _ arguments: [String]) async throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    return try await withCheckedThrowingContinuation { continuation in
        process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
        do { try process.run() } catch { continuation.resume(throwing: error) }
    }
}

/// A TCP port that was free a moment ago (for starting an external peer).
func freeTCPPort() async throws -> Int {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .bind(host: "127.0.0.1", port: 0).get()
    let port = channel.localAddress!.port!
    try await channel.close()
    return port
}

/// Connects as a raw TCP client, sends `bytes`, and returns everything received until the
/// peer closes (or `limit` seconds pass).
func rawExchange(port: Int, sending bytes: [UInt8], limit: Int64 = 5) async throws -> (received: [UInt8], closedByPeer: Bool) {
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
        }
    return try await channel.executeThenClose { inbound, outbound in
        if !bytes.isEmpty { try await outbound.write(ByteBuffer(bytes: bytes)) }
        return try await withThrowingTaskGroup(of: ([UInt8], Bool)?.self) { group in
            group.addTask {
                var received: [UInt8] = []
                for try await buffer in inbound { received += Array(buffer.readableBytesView) }
                return (received, true)
            }
            group.addTask {
                try await Task.sleep(for: .seconds(limit))
                return nil
            }
            let first = try await group.next()!
            group.cancelAll()
            return first ?? ([], false)
        }
    }
}

