/// DICOM networking: the PS3.8 upper layer (PDU codec, association state machine),
/// PS3.7 DIMSE messages, and SCP/SCU on SwiftNIO.
public enum DICOMNetworkModule {}
