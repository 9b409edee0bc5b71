/// This implementation's identity in file meta information and association negotiation
/// (PS3.7 §D.3.3.2, PS3.10 §7.1).
public enum Implementation {
    /// A UUID-derived UID (PS3.5 §B.2): "2.25." followed by the decimal value of the fixed UUID
    /// 5f3c2a8e-7b14-4d0a-9c61-2e8f4b7a1d93, computed once and kept constant.
    public static let classUID = "2.25.126589060560772726521639941246239251859"
    /// At most 16 characters of the default repertoire (SH).
    public static let versionName = "TANDEM_010"
}
