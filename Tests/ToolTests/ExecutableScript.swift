import Foundation

/// Writes a script the tests will execute: under a temporary name opened with O_CLOEXEC, closed,
/// then renamed into place. Foundation's writers leave the descriptor inheritable, so a child
/// another test spawns meanwhile can hold the file open for writing, and the kernel then refuses
/// to execute it ("Text file busy").
enum ExecutableScript {
    static func write(_ text: String, to file: URL) throws {
        let temporary = file.deletingLastPathComponent().appendingPathComponent(".\(file.lastPathComponent).\(UUID().uuidString)")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o755)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == bytes.count, rename(temporary.path, file.path) == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
    }

    /// Copies a directory of scripts (one level deep), each written as above.
    static func copyDirectory(_ source: URL, to destination: URL) throws {
        try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: source.path) {
            let text = try String(contentsOf: source.appendingPathComponent(name), encoding: .utf8)
            try write(text, to: destination.appendingPathComponent(name))
        }
    }
}
