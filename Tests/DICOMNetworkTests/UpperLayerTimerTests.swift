import NIOCore
import NIOEmbedded
import Testing
@testable import DICOMNetwork

/// The upper-layer timer on an embedded channel, its clock advanced by hand.
@Suite("Upper-layer timer (ARTIM, idle, association), without sockets")
struct UpperLayerTimerTests {
    static func channel() throws -> (EmbeddedChannel, UpperLayerTimer) {
        let channel = EmbeddedChannel()
        let timer = UpperLayerTimer(eventLoop: channel.embeddedEventLoop)
        try channel.pipeline.syncOperations.addHandler(timer)
        return (channel, timer)
    }

    /// The timeout the timer fired into the pipeline, if any.
    static func fired(_ channel: EmbeddedChannel) -> UpperLayerTimeout? {
        do {
            try channel.throwIfErrorCaught()
            return nil
        } catch {
            return error as? UpperLayerTimeout
        }
    }

    @Test func firesAtItsDeadlineAndNotBefore() throws {
        let (channel, timer) = try Self.channel()
        timer.arm(.seconds(10), kind: .idle)
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(Self.fired(channel) == nil)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(Self.fired(channel) == .idle)
        channel.embeddedEventLoop.advanceTime(by: .seconds(60))
        #expect(Self.fired(channel) == nil)  // once
    }

    @Test func rearmingMovesTheDeadline() throws {
        let (channel, timer) = try Self.channel()
        timer.arm(.seconds(10), kind: .idle)
        channel.embeddedEventLoop.advanceTime(by: .seconds(5))
        timer.disarm()  // a PDU was read
        timer.arm(.seconds(10), kind: .idle)  // the next one awaited: due at 15 s
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(Self.fired(channel) == nil)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(Self.fired(channel) == .idle)
    }

    @Test func aDisarmedTimerNeverFiresAndArmsAgainLater() throws {
        let (channel, timer) = try Self.channel()
        timer.arm(.seconds(10), kind: .association)
        timer.disarm()
        channel.embeddedEventLoop.advanceTime(by: .seconds(30))
        #expect(Self.fired(channel) == nil)
        timer.arm(.seconds(10), kind: .association)
        channel.embeddedEventLoop.advanceTime(by: .seconds(10))
        #expect(Self.fired(channel) == .association)
    }

    @Test func aShorterTimerAfterALongerOneFiresOnTime() throws {
        let (channel, timer) = try Self.channel()
        timer.arm(.seconds(300), kind: .idle)
        timer.arm(.seconds(2), kind: .artim)  // e.g. after sending A-RELEASE-RP (Sta13)
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(Self.fired(channel) == .artim)
    }

    @Test func aPDUPassingThroughDisarmsIt() throws {
        let (channel, timer) = try Self.channel()
        timer.arm(.seconds(10), kind: .idle)
        try channel.writeInbound(PDU.releaseRQ)
        channel.embeddedEventLoop.advanceTime(by: .seconds(20))
        #expect(Self.fired(channel) == nil)
        #expect(try channel.readInbound(as: PDU.self) == .releaseRQ)
    }
}
