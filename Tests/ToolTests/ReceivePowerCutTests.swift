import DICOMCore
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
        let (status, text) = try await BlockingWork.run { try ReceiveCrashTests.runCrashTest("receiver-power-cut.sh", ["2", "150"]) }
        #expect(status == 0, "\(text)")
        #expect(text.contains("total: 2 power cuts"), "\(text)")
    }
}
