import DICOMCore
import DICOMImaging
import DICOMNetwork

/// How one file goes over an established association, given the contexts the acceptor accepted.
public enum TransferChoice: Equatable, Sendable {
    /// Stream the file's data set bytes unchanged on this context.
    case asStored(contextID: UInt8)
    /// Re-encode the data set in the context's uncompressed syntax first (PS3.5 §10).
    case converted(contextID: UInt8, to: TransferSyntax)
    /// Decode the file's compressed pixel data into the context's native syntax, frame by frame.
    case transcoded(contextID: UInt8, to: TransferSyntax)
    /// No accepted context can carry the file; the reason names SOP class and syntax.
    case refused(reason: String)

    /// Picks a context for `file`: one accepted with the file's own syntax if any; else one
    /// accepted with a native syntax the file can be rewritten in, preferring Explicit VR Little
    /// Endian: any uncompressed syntax for an uncompressed file, Explicit or Implicit VR Little
    /// Endian for a compressed file whose pixel data can be decoded. Any context of the right
    /// abstract syntax qualifies, whichever key proposed it (PS3.7 §9.1.1: a C-STORE goes on a
    /// context of its SOP class).
    public static func choose(for file: InstanceSummary,
                              accepted: some Collection<AcceptedPresentationContext>,
                              decoders: FrameDecoders = .standard) -> TransferChoice {
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
        let targets = own.isUncompressed ? TransferSyntax.uncompressed : Transcoder.nativeTargets
        let best = candidates
            .compactMap { context in targets.firstIndex(of: TransferSyntax(uid: context.transferSyntax)).map { (context, $0) } }
            .min { $0.1 < $1.1 }?.0
        guard let best else {
            let offered = Set(candidates.map { TransferSyntax(uid: $0.transferSyntax).name }).sorted()
            return .refused(reason: "the peer accepted \(sopClass) only in \(offered.joined(separator: ", ")), "
                            + "not in \(own.name) (\(own.uid))"
                            + (own.isUncompressed ? "" : " nor in a native syntax it can be transcoded to"))
        }
        let target = TransferSyntax(uid: best.transferSyntax)
        if own.isUncompressed { return .converted(contextID: best.id, to: target) }
        guard decoders.canDecode(own) else {
            return .refused(reason: "the peer does not accept \(own.name) (\(own.uid)) for \(sopClass), "
                            + "and pixel data in \(own.name) cannot be decoded to transcode it")
        }
        return .transcoded(contextID: best.id, to: target)
    }
}
