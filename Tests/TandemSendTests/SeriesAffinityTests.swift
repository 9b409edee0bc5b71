import Testing
@testable import TandemSend

@Suite struct SeriesAffinityTests {
    /// Instance `number` of series `series` (nil: a file without a Series Instance UID).
    static func file(_ series: String?, _ number: Int) -> InventoryEntry {
        .sendable(InstanceSummary(path: "/in/\(series ?? "none")-\(number).dcm", sopClassUID: "1.2.840.10008.5.1.4.1.1.2",
                                  sopInstanceUID: "2.25.\(number)", seriesInstanceUID: series.map { "1.2.\($0)" },
                                  transferSyntaxUID: "1.2.840.10008.1.2.1", size: 1, dataSetOffset: 0))
    }

    static func taken(_ handover: SeriesAffinity.Handover?) -> InventoryEntry? { handover?.entry }

    @Test func interleavedSeriesEachStayOnTheLaneThatTookTheirFirstFile() {
        var affinity = SeriesAffinity(horizon: 64)
        let walk = (1...4).flatMap { number in ["A", "B", "C"].map { Self.file($0, number) } }
        for entry in walk { #expect(affinity.arrive(entry) == nil) }
        var byLane: [Int: [InventoryEntry]] = [:]
        // Three lanes, the first one twice as fast as the others.
        for lane in [0, 0, 1, 2, 0, 0, 1, 2, 0, 1, 2, 1, 2, 1] {
            guard let entry = affinity.request(for: lane)?.entry else { continue }
            byLane[lane, default: []].append(entry)
        }
        #expect(byLane[0] == (1...4).map { Self.file("A", $0) })
        #expect(byLane[1] == (1...4).map { Self.file("B", $0) })
        #expect(byLane[2] == (1...4).map { Self.file("C", $0) })
    }

    @Test func waitingLanesTakeArrivingFilesOfTheirOwnOrOfAnUnclaimedSeries() {
        var affinity = SeriesAffinity(horizon: 64)
        for lane in 0..<3 { #expect(affinity.request(for: lane) == nil) }
        #expect(affinity.arrive(Self.file("A", 1)) == .init(lane: 0, entry: Self.file("A", 1)))
        #expect(affinity.request(for: 0) == nil)
        // Lane 0 waits again, but the next unclaimed series goes to the lane waiting longest.
        #expect(affinity.arrive(Self.file("B", 1)) == .init(lane: 1, entry: Self.file("B", 1)))
        #expect(affinity.arrive(Self.file("A", 2)) == .init(lane: 0, entry: Self.file("A", 2)))
        // Lane 1 is busy: its series' file waits in the window for it, lane 2 keeps waiting.
        #expect(affinity.arrive(Self.file("B", 2)) == nil)
        #expect(affinity.request(for: 1) == .init(lane: 1, entry: Self.file("B", 2)))
        #expect(affinity.endWalk() == [.init(lane: 2, entry: nil)])
        #expect(affinity.request(for: 0) == .init(lane: 0, entry: nil))
    }

    @Test func aBusyLanesSeriesMakesTheOthersWaitUntilTheWindowIsFullThenTheyShareIt() {
        var affinity = SeriesAffinity(horizon: 4)
        for number in 1...3 { #expect(affinity.arrive(Self.file("A", number)) == nil) }
        #expect(Self.taken(affinity.request(for: 0)) == Self.file("A", 1))
        // The window (A2, A3) has room and the walk goes on: lane 1 waits for another series.
        #expect(affinity.request(for: 1) == nil)
        #expect(affinity.arrive(Self.file("B", 1)) == .init(lane: 1, entry: Self.file("B", 1)))
        #expect(affinity.request(for: 2) == nil)
        #expect(affinity.arrive(Self.file("A", 4)) == nil)
        // Full: the walk waits on the senders, so lane 2 joins A at its first waiting file.
        #expect(affinity.arrive(Self.file("A", 5)) == .init(lane: 2, entry: Self.file("A", 2)))
        #expect(Self.taken(affinity.request(for: 0)) == Self.file("A", 3))
        #expect(Self.taken(affinity.request(for: 2)) == Self.file("A", 4))
        // B stays lane 1's alone; the window has room again, so lane 1 waits for B's next file.
        #expect(affinity.request(for: 1) == nil)
        #expect(affinity.arrive(Self.file("B", 2)) == .init(lane: 1, entry: Self.file("B", 2)))
        #expect(Self.taken(affinity.request(for: 0)) == Self.file("A", 5))
        #expect(affinity.request(for: 2) == nil)
    }

    @Test func skippedEntriesAndFilesWithoutASeriesGoToAnyLane() {
        var affinity = SeriesAffinity(horizon: 64)
        let skipped = InventoryEntry.skipped(path: "/in/notes.txt", reason: "not DICOM")
        for entry in [Self.file("A", 1), Self.file("A", 2), skipped, Self.file(nil, 1), Self.file(nil, 2)] {
            _ = affinity.arrive(entry)
        }
        #expect(Self.taken(affinity.request(for: 0)) == Self.file("A", 1))
        #expect(Self.taken(affinity.request(for: 1)) == skipped)
        #expect(Self.taken(affinity.request(for: 1)) == Self.file(nil, 1))
        #expect(Self.taken(affinity.request(for: 2)) == Self.file(nil, 2))
        #expect(Self.taken(affinity.request(for: 2)) == nil)
    }

    /// The failed association's outstanding files are reported failed by the sender; the files of
    /// its series still in the window, or still to come, go to the other lanes.
    @Test func aFailedLanesSeriesGoesToTheLanesLeft() {
        var affinity = SeriesAffinity(horizon: 64)
        for entry in [Self.file("A", 1), Self.file("A", 2), Self.file("A", 3)] { _ = affinity.arrive(entry) }
        #expect(Self.taken(affinity.request(for: 0)) == Self.file("A", 1))
        #expect(affinity.request(for: 1) == nil)
        #expect(affinity.request(for: 2) == nil)
        #expect(affinity.release(0) == [.init(lane: 1, entry: Self.file("A", 2))])
        // Lane 1 now owns the series: lane 2 goes on waiting, even for the series' later files.
        #expect(affinity.arrive(Self.file("A", 4)) == nil)
        #expect(affinity.arrive(Self.file("B", 1)) == .init(lane: 2, entry: Self.file("B", 1)))
        #expect(Self.taken(affinity.request(for: 1)) == Self.file("A", 3))
        #expect(Self.taken(affinity.request(for: 1)) == Self.file("A", 4))
        #expect(affinity.endWalk() == [])
    }

    @Test func aSeriesFinishedAsFarAsTheWalkCanTellIsReleased() {
        var affinity = SeriesAffinity(horizon: 2)
        _ = affinity.arrive(Self.file("A", 1))
        #expect(Self.taken(affinity.request(for: 0)) == Self.file("A", 1))
        for number in 1...2 {
            _ = affinity.arrive(Self.file("B", number))
            #expect(Self.taken(affinity.request(for: 1)) == Self.file("B", number))
        }
        // Two entries after A's last one, within the horizon: still lane 0's.
        #expect(affinity.request(for: 1) == nil)
        #expect(affinity.arrive(Self.file("A", 2)) == nil)
        #expect(Self.taken(affinity.request(for: 0)) == Self.file("A", 2))
        for number in 3...5 {
            #expect(affinity.arrive(Self.file("B", number)) == .init(lane: 1, entry: Self.file("B", number)))
            #expect(affinity.request(for: 1) == nil)
        }
        // Three entries after A's last one: the series is free again, and lane 1, waiting, takes it.
        #expect(affinity.arrive(Self.file("A", 3)) == .init(lane: 1, entry: Self.file("A", 3)))
    }
}
