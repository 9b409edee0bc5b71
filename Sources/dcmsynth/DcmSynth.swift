import ArgumentParser
import DICOMCore
import DICOMSynthetic
import Foundation
import TandemCLI

@main
struct DcmSynth: TandemCommand {
    static let configuration = CommandConfiguration(
        commandName: "dcmsynth",
        abstract: "Write a synthetic DICOM study (for tests, benchmarks and demonstrations).",
        discussion: """
        Writes realistic CT or MR series with fresh 2.25 UIDs under DIR/Snnn/Innnnn.dcm and prints
        each file's path. Instances of 64 MB or more become one multi-frame instance per series,
        streamed to disk frame by frame.

        Examples:
          dcmsynth --out /tmp/ct --modality CT --instances 500 --instance-size 512k
          dcmsynth --out /tmp/big --instances 1 --instance-size 1g
        """,
        version: TandemVersion.string)

    @Option(name: .long, help: ArgumentHelp("Directory to write the study into.", valueName: "dir"))
    var out: String

    @Option(name: .long, help: "CT or MR.")
    var modality: String = "CT"

    @Option(name: .long, help: "Number of series.")
    var series: Int = 1

    @Option(name: .long, help: "Instances per series.")
    var instances: Int = 10

    @Option(name: .customLong("instance-size"), help: "Approximate file size: bytes, or with k/m/g suffix.")
    var instanceSize: String = "512k"

    @Option(name: .customLong("transfer-syntax"),
            help: "implicit-le, explicit-le, big-endian or deflated.")
    var transferSyntax: String = "explicit-le"

    @Option(name: .customLong("patient-name"), help: "Patient's Name (PN, e.g. Doe^Jane).")
    var patientName: String = "Doe^Jane"

    @Option(name: .customLong("patient-id"), help: "Patient ID.")
    var patientID: String = "TANDEM-0001"

    @OptionGroup var logging: LoggingOptions

    func run(_ tool: TandemTool) throws {
        guard let modality = StudySpecification.Modality(rawValue: modality.uppercased()) else {
            throw ValidationError("--modality must be CT or MR")
        }
        guard let size = Self.byteCount(instanceSize), size >= 8 * 1024 else {
            throw ValidationError("--instance-size must be at least 8k, e.g. 512k or 1g")
        }
        let syntaxes: [String: TransferSyntax] = [
            "implicit-le": .implicitVRLittleEndian, "explicit-le": .explicitVRLittleEndian,
            "big-endian": .explicitVRBigEndian, "deflated": .deflatedExplicitVRLittleEndian,
        ]
        guard let syntax = syntaxes[transferSyntax] else {
            throw ValidationError("--transfer-syntax must be one of \(syntaxes.keys.sorted().joined(separator: ", "))")
        }
        guard series > 0, instances > 0 else { throw ValidationError("--series and --instances must be positive") }
        let frames = size >= 64 << 20 ? max(1, size / (512 << 10)) : 1
        let specification = StudySpecification(
            modality: modality, seriesCount: series, instancesPerSeries: instances, instanceSize: size,
            transferSyntax: syntax, patientName: patientName, patientID: patientID, framesPerInstance: frames)
        let files = try SyntheticStudy(specification).write(to: URL(fileURLWithPath: out))
        for file in files { print(file.path) }
    }

    /// "512k" → 524288; plain digits are bytes.
    static func byteCount(_ text: String) -> Int? {
        let units: [Character: Int] = ["k": 1 << 10, "m": 1 << 20, "g": 1 << 30]
        guard let last = text.lowercased().last else { return nil }
        if let unit = units[last] { return Int(text.dropLast()).map { $0 * unit } }
        return Int(text)
    }
}
