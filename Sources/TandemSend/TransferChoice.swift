import DICOMCore
import DICOMNetwork

/// How one file goes over an established association, given the contexts the acceptor accepted.
public enum TransferChoice: Equatable, Sendable {
    /// Stream the file's data set bytes unchanged on this context.
    case asStored(contextID: UInt8)
    /// Re-encode the data set in the context's uncompressed syntax first (PS3.5 §10).
    case converted(contextID: UInt8, to: TransferSyntax)
    /// No accepted context can carry the file; the reason names SOP class and syntax.
    case refused(reason: String)

    /// Picks a context for `file`: one accepted with the file's own syntax if any, else (for an
    /// uncompressed file) one accepted with another uncompressed syntax, preferring Explicit VR
    /// Little Endian. Any context of the right abstract syntax qualifies, whichever key proposed it
    /// (PS3.7 §9.1.1: a C-STORE goes on a context of its SOP class).
    public static func choose(for file: InstanceSummary,
                              accepted: some Collection<AcceptedPresentationContext>) -> TransferChoice {
        let own = file.transferSyntax
        let candidates = accepted.filter { $0.abstractSyntax == file.sopClassUID }.sorted { $0.id < $1.id }
        if let exact = candidates.first(where: { TransferSyntax(uid: $0.transferSyntax) == own }) {
            return .asStored(contextID: exact.id)
        }
        let sopClass = UIDDictionary.entry(for: file.sopClassUID)?.name ?? file.sopClassUID
        guard !candidates.isEmpty else {
            return .refused(reason: "the peer accepted no presentation context for \(sopClass) "
                            + "(file in \(own.name), \(own.uid))")
        }
        guard own.isUncompressed else {
            return .refused(reason: "the peer does not accept \(own.name) (\(own.uid)) for \(sopClass); "
                            + "transcoding compressed pixel data is not supported")
        }
        let convertible = candidates.filter { TransferSyntax(uid: $0.transferSyntax).isUncompressed }
        let preference = TransferSyntax.uncompressed
        let best = convertible.min { a, b in
            (preference.firstIndex(of: TransferSyntax(uid: a.transferSyntax)) ?? preference.count)
                < (preference.firstIndex(of: TransferSyntax(uid: b.transferSyntax)) ?? preference.count)
        }
        guard let best else {
            let offered = Set(candidates.map { TransferSyntax(uid: $0.transferSyntax).name }).sorted()
            return .refused(reason: "the peer accepted \(sopClass) only in \(offered.joined(separator: ", ")), "
                            + "not in \(own.name) (\(own.uid))")
        }
        return .converted(contextID: best.id, to: TransferSyntax(uid: best.transferSyntax))
    }
}
