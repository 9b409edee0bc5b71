import DICOMNetwork
import TandemArchive

extension DIMSEResult {
    /// The final C-FIND response for a query that cannot run (PS3.4 C.4.1.1.4, Table C.4-1):
    /// "Identifier does not match SOP Class" (A900) when the identifier is not one of the
    /// information model's (no or another level, an attribute that is not a standard one, a key
    /// below the query level, a wrong VR); "Unable to process" (C000) for a value that cannot
    /// be matched; "Out of resources" (A700) for more values than the archive matches at once.
    /// The offending attribute goes in Offending Element (0000,0901), the reason in Error Comment.
    init(_ error: QueryError) {
        let status: DIMSEStatus = switch error {
        case .missingLevel, .unknownLevel, .levelNotInModel, .unknownAttribute, .keyNotAllowed, .wrongVR:
            .dataSetDoesNotMatchSOPClass
        case .tooManyValues:
            .outOfResources
        case .valueTooLong, .malformedValue, .missingUpperLevelUniqueKey, .invalidPaging:
            .cannotUnderstand
        }
        self.init(status, errorComment: Self.errorComment(error.description),
                  offendingElements: error.offendingElement.map { [$0] } ?? [])
    }
}
