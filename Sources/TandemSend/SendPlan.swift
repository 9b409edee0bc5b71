import DICOMCore
import DICOMImaging
import DICOMNetwork

/// One (SOP class, transfer syntax) pair found in the files: each gets its own presentation
/// context, so the acceptor can take the file's own syntax wherever it supports it.
public struct ContextKey: Hashable, Sendable {
    public let sopClassUID: String
    public let transferSyntaxUID: String

    public init(sopClassUID: String, transferSyntaxUID: String) {
        self.sopClassUID = sopClassUID
        self.transferSyntaxUID = transferSyntaxUID
    }

    public init(_ instance: InstanceSummary) {
        self.init(sopClassUID: instance.sopClassUID, transferSyntaxUID: instance.transferSyntax.uid)
    }

    /// The transfer syntaxes proposed for this key, the file's own first (PS3.8 §9.3.2.2: the
    /// acceptor picks one of them). Explicit and Implicit VR Little Endian follow as alternatives,
    /// the latter being the default every acceptor supports (PS3.5 §10.1): an uncompressed file
    /// is converted into them, a compressed one transcoded (its pixel data decoded) when the
    /// acceptor takes none of its own. A compressed file whose pixel data cannot be decoded (MPEG,
    /// HEVC) is proposed in its own syntax only.
    public var proposedTransferSyntaxes: [String] {
        let own = TransferSyntax(uid: transferSyntaxUID)
        guard own.isUncompressed || FrameDecoders.standard.canDecode(own) else { return [own.uid] }
        let alternatives = [TransferSyntax.explicitVRLittleEndian, .implicitVRLittleEndian].map(\.uid)
        return [own.uid] + alternatives.filter { $0 != own.uid }
    }

    /// What to propose: `forced` (a `[[peer]] transfer_syntaxes` list) when given, whatever the
    /// file's own syntax, else `proposedTransferSyntaxes`.
    public func proposedTransferSyntaxes(forced: [TransferSyntax]?) -> [String] {
        guard let forced, !forced.isEmpty else { return proposedTransferSyntaxes }
        var seen = Set<String>()
        return forced.map(\.uid).filter { seen.insert($0).inserted }
    }
}

/// What one association carries: the presentation contexts to propose and the files to send.
public struct AssociationPlan: Sendable, Equatable {
    public let presentationContexts: [PresentationContextRQ]
    public let files: [InstanceSummary]

    /// Presentation context IDs are odd numbers 1–255 (PS3.8 §9.3.2.2): 128 per association.
    public static let maximumPresentationContexts = 128

    /// Plans associations for `files` in order, each proposing at most `maximumContexts`
    /// contexts: a file whose key would not fit starts the next association.
    /// `forcedTransferSyntaxes`, when given, replaces the syntaxes proposed for every key.
    public static func sequence(for files: [InstanceSummary],
                                maximumContexts: Int = maximumPresentationContexts,
                                forcedTransferSyntaxes: [TransferSyntax]? = nil) -> [AssociationPlan] {
        precondition((1...maximumPresentationContexts).contains(maximumContexts))
        // Group by key first, so that files sharing a key land in the same association.
        var order: [ContextKey] = []
        var filesByKey: [ContextKey: [InstanceSummary]] = [:]
        for file in files {
            let key = ContextKey(file)
            if filesByKey[key] == nil { order.append(key) }
            filesByKey[key, default: []].append(file)
        }
        var plans: [AssociationPlan] = []
        var start = 0
        while start < order.count {
            let keys = order[start..<min(start + maximumContexts, order.count)]
            let contexts = presentationContexts(for: keys, forcedTransferSyntaxes: forcedTransferSyntaxes)
            // Within one association the files keep the order they were given in.
            let keySet = Set(keys)
            plans.append(AssociationPlan(presentationContexts: contexts,
                                         files: files.filter { keySet.contains(ContextKey($0)) }))
            start += maximumContexts
        }
        return plans
    }

    /// One presentation context per key, with odd IDs from 1 in the keys' order (PS3.8 §9.3.2.2).
    public static func presentationContexts(for keys: some Collection<ContextKey>,
                                            forcedTransferSyntaxes: [TransferSyntax]? = nil) -> [PresentationContextRQ] {
        precondition(keys.count <= maximumPresentationContexts)
        return keys.enumerated().map { index, key in
            PresentationContextRQ(id: UInt8(2 * index + 1), abstractSyntax: key.sopClassUID,
                                  transferSyntaxes: key.proposedTransferSyntaxes(forced: forcedTransferSyntaxes))
        }
    }
}

/// The whole sending job: one lane per parallel association, each lane a sequence of
/// associations run one after the other.
public struct SendPlan: Sendable, Equatable {
    public let lanes: [[AssociationPlan]]

    public init(lanes: [[AssociationPlan]]) {
        self.lanes = lanes
    }

    /// Spreads `files` over at most `parallelAssociations` lanes of about equal byte counts,
    /// keeping the given order (a series stays together as far as possible).
    /// `forcedTransferSyntaxes` is what the destination must get (`[[peer]] transfer_syntaxes`).
    public init(files: [InstanceSummary], parallelAssociations: Int,
                maximumContexts: Int = AssociationPlan.maximumPresentationContexts,
                forcedTransferSyntaxes: [TransferSyntax]? = nil) {
        let laneCount = max(1, min(parallelAssociations, files.count))
        let totalBytes = files.reduce(0) { $0 + max($1.size, 1) }
        var portions = [[InstanceSummary]](repeating: [], count: laneCount)
        var bytesBefore = 0
        for file in files {
            // The lane in whose share of the total this file starts.
            let lane = min(laneCount - 1, bytesBefore * laneCount / max(totalBytes, 1))
            portions[lane].append(file)
            bytesBefore += max(file.size, 1)
        }
        lanes = portions.filter { !$0.isEmpty }
            .map { AssociationPlan.sequence(for: $0, maximumContexts: maximumContexts,
                                           forcedTransferSyntaxes: forcedTransferSyntaxes) }
    }

    public var associationCount: Int { lanes.reduce(0) { $0 + $1.count } }
}
