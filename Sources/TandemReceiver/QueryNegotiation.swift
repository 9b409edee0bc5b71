import DICOMNetwork

/// SOP class extended negotiation of the Query/Retrieve FIND SOP classes (PS3.4 C.5.1.1). The
/// requestor's application information bytes ask, each with a 1, for relational queries, combined
/// date-time matching, fuzzy semantic matching of person names and timezone query adjustment.
/// The archive grants relational queries only: dates and times match separately, names as
/// `[query] case_insensitive_names` says, and times are not adjusted.
enum QueryNegotiation {
    /// The reply (PS3.4 Table C.5-2): as many bytes as were asked for, at most four, each 1 where
    /// the feature is granted; nil for a SOP class that is not a FIND SOP class.
    static func answer(_ proposed: SOPClassExtendedNegotiation) -> SOPClassExtendedNegotiation? {
        let asked = proposed.serviceClassApplicationInformation
        guard ServedSOPClasses.findModels[proposed.sopClassUID] != nil, let relational = asked.first else { return nil }
        var granted = [UInt8](repeating: 0, count: min(asked.count, 4))
        granted[0] = relational == 1 ? 1 : 0
        return SOPClassExtendedNegotiation(sopClassUID: proposed.sopClassUID, serviceClassApplicationInformation: granted)
    }

    /// Whether the association's A-ASSOCIATE-AC granted relational queries on the SOP class;
    /// without them a query is hierarchical (PS3.4 C.4.1.2.1).
    static func grantsRelationalQueries(_ answer: AAssociateAC, sopClassUID: String) -> Bool {
        answer.userInformation.extendedNegotiations.contains {
            $0.sopClassUID == sopClassUID && $0.serviceClassApplicationInformation.first == 1
        }
    }
}
