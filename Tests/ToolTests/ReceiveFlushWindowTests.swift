import DICOMCore
import Foundation
import Testing

/// A crash between an index row's commit and the end of its file's flush, for real: dcmrecv under
/// strace holding every fsync (the object writer's; SQLite's fdatasync is left alone), killed
/// with SIGKILL while rows are committed and their flushes held, its data root on a loop-mounted
/// ext4 image copied as the device holds it at that moment. Both the killed process's file system
/// and the power-cut copy are recovered: every acknowledged instance is there, readable and
/// indexed, nothing partial is indexed, and every note is settled.
@Suite("dcmrecv crashed during a file flush", .serialized)
struct ReceiveFlushWindowTests {
    @Test("rows committed while their flushes are held survive kill -9 and a power cut correctly",
          .enabled(if: ReceiveCrashTests.pynetdicomAvailable, "needs pynetdicom"),
          .enabled(if: ReceivePowerCutTests.canMountLoopDevices, "needs root and loop devices"),
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/strace"), "needs strace"))
    func crashDuringHeldFlushes() async throws {
        let (status, text) = try await BlockingWork.run {
            try ReceiveCrashTests.runCrashTest("receiver-flush-window.sh", ["2", "300"])
        }
        #expect(status == 0, "\(text)")
        #expect(text.contains("total: 2 kills during held flushes"), "\(text)")
    }
}
