extension DIMSEStatus {
    /// C-MOVE: Refused: Move Destination unknown (PS3.4 Table C.4-2).
    public static let moveDestinationUnknown = DIMSEStatus(rawValue: 0xA801)
    /// C-MOVE and C-GET: Refused: Out of Resources – Unable to calculate number of matches
    /// (PS3.4 Tables C.4-2 and C.4-3).
    public static let unableToCalculateNumberOfMatches = DIMSEStatus(rawValue: 0xA701)
    /// C-MOVE and C-GET: Refused: Out of Resources – Unable to perform sub-operations
    /// (PS3.4 Tables C.4-2 and C.4-3).
    public static let unableToPerformSubOperations = DIMSEStatus(rawValue: 0xA702)
    /// C-MOVE and C-GET: Warning: Sub-operations Complete – One or more Failures or Warnings.
    public static let subOperationsCompleteWithFailures = DIMSEStatus(rawValue: 0xB000)
}
