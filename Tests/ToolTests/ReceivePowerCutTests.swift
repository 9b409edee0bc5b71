import Foundation
import Testing

/// The power-cut test with reduced counts: the data root on a loop-mounted ext4 image, dcmrecv
/// frozen mid-ingest, the device copied as it holds it and recovered; every instance acknowledged
/// before the freeze must survive, indexed and readable.
@Suite("dcmrecv after a power cut", .serialized)
struct ReceivePowerCutTests {
    /// Loop devices and mounts need root.
    static var canMountLoopDevices: Bool {
        getuid() == 0 && FileManager.default.fileExists(atPath: "/dev/loop-control")
            && FileManager.default.isExecutableFile(atPath: "/usr/sbin/losetup")
    }

    @Test("instances acknowledged before the freeze survive on the device's copy",
          .enabled(if: ReceiveCrashTests.pynetdicomAvailable, "needs pynetdicom"),
          .enabled(if: canMountLoopDevices, "needs root and loop devices"))
    func powerCut() async throws {
        let script = ToolRunner.repositoryDirectory.appendingPathComponent("scripts/crash-test/receiver-power-cut.sh")
        let (status, text) = try await offPool {
            let process = Process()
            process.executableURL = script
            process.arguments = ["2", "150"]
            process.environment = ProcessInfo.processInfo.environment.merging(
                ["TANDEM_BIN": ToolRunner.productsDirectory.path]) { $1 }.filter { $0.key != "TANDEM_EPOCH" }
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, text)
        }
        #expect(status == 0, "\(text)")
        #expect(text.contains("total: 2 power cuts"), "\(text)")
    }
}
