import DICOMCore
import DICOMNetwork
import Logging
import TandemArchive

/// The Query/Retrieve C-FIND SCP (PS3.4 C.4.1) of the Patient Root and Study Root information
/// models, answered from the archive index. Matches are read a page at a time and each page is
/// sent before the next is read, so memory stays bounded whatever matches, and a C-CANCEL stops
/// the responses at the next match.
struct QueryServiceProvider: DIMSEServiceProvider {
    let index: ArchiveIndex
    let settings: QuerySettings
    /// This archive's AE title, the Retrieve AE Title of every match.
    let aeTitle: String
    let logger: Logger

    /// Matches read per index snapshot: small enough that a page is sent in milliseconds.
    static let pageSize = 50
    /// Pending, "matches are continuing, but one or more optional keys were not supported"
    /// (PS3.4 Table C.4-1).
    static let pendingWithUnsupportedKeys = DIMSEStatus(rawValue: 0xFF01)

    func find(_ request: CFindRequest, identifier: DataSet, responder: CFindResponder) async throws -> DIMSEResult {
        let association = responder.context.association
        var sent = 0
        defer {
            association.updateServiceCounts { counts in
                counts.queries += 1
                counts.matches += sent
            }
        }
        let sopClass = responder.context.presentationContext.abstractSyntax
        guard request.affectedSOPClassUID == sopClass, let model = ServedSOPClasses.findModels[sopClass] else {
            return DIMSEResult(.sopClassNotSupported, errorComment: "SOP Class UID is not the presentation context's")
        }
        let options = QueryOptions(
            caseInsensitiveNames: settings.caseInsensitiveNames,
            relational: QueryNegotiation.grantsRelationalQueries(association.answer, sopClassUID: sopClass))
        let query: QueryRequest
        do {
            query = try QueryRequest(identifier: identifier, model: model, options: options)
        } catch {
            logger.notice("C-FIND refused", metadata: [
                "calling": "\(association.request.callingAETitle.value)", "reason": "\(error)"])
            return DIMSEResult(error)
        }
        let answers = FindResponseIdentifier(query: query, requestCharacterSet: identifier.specificCharacterSet.terms,
                                             retrieveAETitle: aeTitle)
        let status = query.unsupportedMatchingKeys.isEmpty ? DIMSEStatus.pending : Self.pendingWithUnsupportedKeys
        var after: QueryPosition?
        repeat {
            let page = try await index.find(query, paging: QueryPaging(limit: Self.pageSize, after: after))
            for match in page.matches {
                guard try await responder.pending(try answers.dataSet(for: match), status: status) else {
                    return .success  // cancelled: the router answers Cancel (FE00H)
                }
                sent += 1
            }
            guard page.hasMore, let last = page.matches.last else { break }
            after = last.position
        } while !responder.isCancelled
        return .success
    }
}
