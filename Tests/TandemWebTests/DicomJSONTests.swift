import DICOMCore
import Testing
@testable import TandemWeb

@Suite("DICOM JSON model (PS3.18 Annex F)")
struct DicomJSONTests {
    @Test("each VR family is written as the annex says: strings, PN groups, numbers, AT, SQ items, InlineBinary, BulkDataURI")
    func vrs() throws {
        var item = DataSet()
        try item.set(.codeValue, vr: .SH, string: "T1")
        var dataSet = DataSet()
        try dataSet.set(.specificCharacterSet, vr: .CS, string: "ISO_IR 192")
        try dataSet.set(.patientName, vr: .PN, string: "Yamada^Tarou=山田^太郎")
        try dataSet.set(.seriesNumber, vr: .IS, string: "7")
        try dataSet.set(.sliceThickness, vr: .DS, string: "1.5")
        try dataSet.set(.rows, vr: .US, uint16: 512)
        try dataSet.set(.imageType, vr: .CS, strings: ["ORIGINAL", "", "AXIAL"])
        dataSet.set(.frameIncrementPointer, tags: [.frameTime])
        dataSet.insert(DataElement(tag: .procedureCodeSequence, vr: .SQ, value: .sequence([SequenceItem(item)])))
        try dataSet.set(Tag(0x0009, 0x0010), vr: .LO, string: "Quote \"me\"")
        try dataSet.set(.pixelData, vr: .OB, bytes: [1, 2, 3, 4])
        dataSet.insert(DataElement(tag: .iconImageSequence, vr: .SQ, value: .sequence([])))
        var writer = DicomJSONWriter()
        writer.write(dataSet, bulkDataURI: { $0 == .pixelData ? nil : "never" }, load: { _ in [] })
        #expect(writer.text == """
            {"00080005":{"vr":"CS","Value":["ISO_IR 192"]},\
            "00080008":{"vr":"CS","Value":["ORIGINAL",null,"AXIAL"]},\
            "00081032":{"vr":"SQ","Value":[{"00080100":{"vr":"SH","Value":["T1"]}}]},\
            "00090010":{"vr":"LO","Value":["Quote \\"me\\""]},\
            "00100010":{"vr":"PN","Value":[{"Alphabetic":"Yamada^Tarou","Ideographic":"山田^太郎"}]},\
            "00180050":{"vr":"DS","Value":[1.5]},\
            "00200011":{"vr":"IS","Value":[7]},\
            "00280009":{"vr":"AT","Value":["00181063"]},\
            "00280010":{"vr":"US","Value":[512]},\
            "00880200":{"vr":"SQ"},\
            "7FE00010":{"vr":"OB","InlineBinary":"AQIDBA=="}}
            """)
    }

    @Test("a binary value left in the file becomes a BulkDataURI at the top level and is loaded inline below it")
    func bulkData() throws {
        let reference = BulkDataReference(offset: 100, length: 4)
        var item = DataSet()
        item.insert(DataElement(tag: .pixelData, vr: .OW, value: .bulkData(reference)))
        var dataSet = DataSet()
        dataSet.insert(DataElement(tag: .iconImageSequence, vr: .SQ, value: .sequence([SequenceItem(item)])))
        dataSet.insert(DataElement(tag: .pixelData, vr: .OW, value: .bulkData(reference)))
        var writer = DicomJSONWriter()
        writer.write(dataSet, bulkDataURI: { "http://h/bulk/" + DicomJSONWriter.hex($0) }, load: { _ in [9, 9, 9, 9] })
        #expect(writer.text == """
            {"00880200":{"vr":"SQ","Value":[{"7FE00010":{"vr":"OW","InlineBinary":"CQkJCQ=="}}]},\
            "7FE00010":{"vr":"OW","BulkDataURI":"http://h/bulk/7FE00010"}}
            """)
    }
}
