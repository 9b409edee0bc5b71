import DICOMNetwork
import NIOConcurrencyHelpers

extension StoreSender {
    /// Sends what `feed` hands over while the inventory is still being taken, on at most
    /// `parallelAssociations` lanes of associations that each take the next file they may when
    /// free (one queue: a slow association takes fewer), the files of a series on the lane that
    /// took its first (`SeriesAffinity`). An association opens with its first file and proposes
    /// the keys inspected by then; a file whose key it did not propose ends it, and the next
    /// association proposes every key known by then. Skipped entries are reported as they come.
    /// Each association keeps up to its negotiated operations window of C-STOREs outstanding.
    /// Returns the association-level failures: the files an association had outstanding are
    /// reported as failed and that association takes no more, its series going to the other
    /// lanes; once every association has failed, the remaining files fail with the last one's reason.
    public func send(_ feed: InventoryFeed, parallelAssociations: Int, reporter: some FileResultSink) async -> [SendFailure] {
        let running = NIOLockedValueBox(parallelAssociations)
        return await withTaskGroup(of: SendFailure?.self) { group in
            for lane in 0..<parallelAssociations {
                group.addTask {
                    let failure = await sendLane(lane, from: feed, reporter: reporter)
                    feed.release(lane: lane)
                    let isLast = running.withLockedValue { count in
                        count -= 1
                        return count == 0
                    }
                    if let failure, isLast {
                        while let file = await nextSendable(for: lane, from: feed, reporter: reporter) {
                            reporter.report(.failed(file, failure.description, cause: .association))
                        }
                    }
                    return failure
                }
            }
            var failures: [SendFailure] = []
            for await failure in group { if let failure { failures.append(failure) } }
            return failures
        }
    }

    /// One lane: associations one after the other, until the feed ends or one fails.
    private func sendLane(_ lane: Int, from feed: InventoryFeed, reporter: some FileResultSink) async -> SendFailure? {
        var opening = await nextSendable(for: lane, from: feed, reporter: reporter)
        // Taken from the feed and not yet reported, by the order taken.
        var unreported: [Int: InstanceSummary] = [:]
        var taken = 0
        while let firstOfAssociation = opening {
            let keys = feed.keysToPropose(with: ContextKey(firstOfAssociation))
            let proposed = Set(keys)
            do {
                try await withAssociation(proposing: AssociationPlan.presentationContexts(for: keys)) { association in
                    try await storeAll(on: association, next: {
                        let file: InstanceSummary
                        if let first = opening {
                            (file, opening) = (first, nil)
                        } else {
                            guard let fetched = await nextSendable(for: lane, from: feed, reporter: reporter) else { return nil }
                            // A file this association did not propose opens the next one.
                            guard proposed.contains(ContextKey(fetched)) else {
                                opening = fetched
                                return nil
                            }
                            file = fetched
                        }
                        taken += 1
                        unreported[taken] = file
                        return (taken, file)
                    }, report: { result, position in
                        reporter.report(result)
                        unreported[position] = nil
                    })
                }
            } catch {
                let failure = SendFailure.classify(error, host: settings.host, port: settings.port)
                logger.error("\(failure)")
                let left = unreported.sorted { $0.key < $1.key }.map(\.value) + (opening.map { [$0] } ?? [])
                for file in left { reporter.report(.failed(file, failure.description, cause: .association)) }
                return failure
            }
        }
        return nil
    }

    /// The next sendable file `lane` may take; skipped entries met on the way are reported.
    private func nextSendable(for lane: Int, from feed: InventoryFeed, reporter: some FileResultSink) async -> InstanceSummary? {
        while let entry = await feed.next(for: lane) {
            switch entry {
            case .sendable(let file):
                return file
            case .skipped(let path, let reason):
                reporter.report(FileResult(path: path, sopInstanceUID: nil, transferSyntax: nil, bytes: 0,
                                           outcome: .skipped(reason: reason)))
            }
        }
        return nil
    }
}
