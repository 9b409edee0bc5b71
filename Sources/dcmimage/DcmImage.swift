import ArgumentParser
import DICOMCore
import DICOMImaging
import Foundation
import TandemCLI

@main
struct DcmImage: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dcmimage",
        abstract: "Render DICOM images to PNG/JPEG, or transcode them to an uncompressed syntax.",
        discussion: """
        Decodes native, RLE, JPEG (baseline, 12-bit, lossless), JPEG-LS, JPEG 2000 and HTJ2K pixel
        data. Each FILE is written to DIR under its own name; a file that cannot be read or decoded
        is reported and the others go on (exit 1 if any failed, 65 if all did).

        Examples:
          dcmimage render --out /tmp/png --window 40,400 CT1.dcm CT2.dcm
          dcmimage render --out /tmp/thumbs --format jpeg --thumbnail 128 MR.dcm
          dcmimage transcode --out /tmp/plain --to implicit-le JLS.dcm
        """,
        version: TandemVersion.string,
        subcommands: [Render.self, Transcode.self])

    struct Files: ParsableArguments {
        @Option(name: .long, help: ArgumentHelp("Directory to write into.", valueName: "dir"))
        var out: String

        @Argument(help: ArgumentHelp("DICOM files.", valueName: "file"))
        var files: [String]

        /// Runs `write` on every file, reporting failures on stderr; the exit code says how many failed.
        func each(_ write: (String, URL) throws -> Void) throws {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            var failed = 0
            for file in files {
                let name = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
                do { try write(file, URL(fileURLWithPath: out).appendingPathComponent(name)) } catch {
                    FileHandle.standardError.write(Data("\(file): \(error)\n".utf8))
                    failed += 1
                }
            }
            if failed > 0 { throw (failed == files.count ? TandemExit.badInput : .partialFailure).exitCode }
        }
    }

    struct Render: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Render one frame of each file for display.")

        @OptionGroup var files: Files

        @Option(name: .long, help: "Frame number, from 1.")
        var frame: Int = 1

        @Option(name: .long, help: ArgumentHelp("VOI window (default: the file's, else the frame's range).",
                                                valueName: "center,width"))
        var window: String?

        @Option(name: .long, help: "png or jpeg.")
        var format: String = "png"

        @Option(name: .long, help: "JPEG quality, 1–100.")
        var quality: Int = 90

        @Option(name: .long, help: ArgumentHelp("Scale down to at most this many pixels a side.", valueName: "pixels"))
        var thumbnail: Int?

        func run() throws {
            let parts = window?.split(separator: ",").compactMap { Double($0) }
            if window != nil && parts?.count != 2 { throw ValidationError("--window takes center,width, e.g. 40,400") }
            let requested = parts.map { Window(center: $0[0], width: $0[1]) }
            guard let format: RenderedFormat = ["png": .png, "jpeg": .jpeg(quality: quality)][format] else {
                throw ValidationError("--format must be png or jpeg")
            }
            try files.each { file, destination in
                var image = try DICOMImage(path: file).rendered(frame: frame - 1, window: requested)
                if let thumbnail { image = image.thumbnail(maximumSize: thumbnail) }
                try Data(image.encoded(as: format))
                    .write(to: destination.appendingPathExtension(format.fileExtension), options: .atomic)
            }
        }
    }

    struct Transcode: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rewrite each file in Explicit or Implicit VR Little Endian, the data set otherwise unchanged.")

        @OptionGroup var files: Files

        @Option(name: .long, help: "explicit-le or implicit-le.")
        var to: String = "explicit-le"

        func run() throws {
            let targets: [String: TransferSyntax] = ["explicit-le": .explicitVRLittleEndian,
                                                     "implicit-le": .implicitVRLittleEndian]
            guard let target = targets[to] else { throw ValidationError("--to must be explicit-le or implicit-le") }
            try files.each { file, destination in
                // Frame by frame into a temporary name, renamed once complete.
                let final = destination.appendingPathExtension("dcm")
                let partial = final.appendingPathExtension("partial")
                try? FileManager.default.removeItem(at: partial)
                do {
                    try Transcoder.write(DICOMImage(path: file), to: target, path: partial.path)
                    guard rename(partial.path, final.path) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
                } catch {
                    try? FileManager.default.removeItem(at: partial)
                    throw error
                }
            }
        }
    }
}
