import Crypto
import Foundation
import Hummingbird
import TandemArchive

/// The reading room's static files (HTML, CSS, JavaScript modules, icons), read once at start from
/// the `Assets` folder that SwiftPM copies beside the binary as `Tandem_TandemWeb.resources`
/// (docs/reading-room.md, "Installing"). Files are answered from memory by their relative path:
/// a request names a key of this table, never a path on disk, so `..` and encoded tricks find
/// nothing.
public struct StaticAssets: Sendable {
    public struct Asset: Sendable {
        public var bytes: ByteBuffer
        public var contentType: String
        /// A strong validator (RFC 9110 §8.8.3): the content's SHA-256, shortened.
        public var etag: String
    }

    /// Relative path (`common/theme.css`) → file.
    public let files: [String: Asset]

    /// The whole folder must stay small: it is held in memory.
    static let maximumTotalSize = 32 * 1024 * 1024

    /// The name SwiftPM gives TandemWeb's resource bundle on Linux (`<package>_<target>.resources`).
    public static let bundleName = "Tandem_TandemWeb.resources"

    public init(files: [String: Asset]) {
        self.files = files
    }

    /// The assets beside the running executable. A missing folder is a configuration error (exit
    /// 78): the reading room cannot work without its files, and half a service helps no one.
    public static func besideExecutable() throws -> StaticAssets {
        let executable = (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0]))
            .resolvingSymlinksInPath()
        let folder = executable.deletingLastPathComponent().appendingPathComponent(bundleName)
            .appendingPathComponent("Assets")
        return try load(from: folder)
    }

    /// Reads every regular, non-hidden file under `folder`.
    public static func load(from folder: URL) throws -> StaticAssets {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue,
              let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey],
                                                          options: [.skipsHiddenFiles]) else {
            throw ConfigurationError(file: "dcmweb", line: nil, key: nil, reason: """
                the reading room's files are missing: expected the folder \(folder.path) \
                (install \(bundleName) beside the dcmweb binary)
                """)
        }
        let base = folder.resolvingSymlinksInPath().standardizedFileURL.path
        var files: [String: Asset] = [:], total = 0
        for case let url as URL in walker {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            let full = url.resolvingSymlinksInPath().standardizedFileURL.path
            guard full.hasPrefix(base + "/") else { continue }
            let data = try Data(contentsOf: url)
            total += data.count
            guard total <= maximumTotalSize else {
                throw ConfigurationError(file: "dcmweb", line: nil, key: nil,
                                         reason: "the files under \(folder.path) exceed \(maximumTotalSize) bytes")
            }
            let digest = SHA256.hash(data: data).prefix(12).map { String(format: "%02x", $0) }.joined()
            files[String(full.dropFirst(base.count + 1))] = Asset(bytes: ByteBuffer(bytes: data),
                                                                   contentType: contentType(of: full),
                                                                   etag: "\"\(digest)\"")
        }
        return StaticAssets(files: files)
    }

    static func contentType(of path: String) -> String {
        switch (path as NSString).pathExtension.lowercased() {
        case "html": "text/html; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "js", "mjs": "text/javascript; charset=utf-8"
        case "json": "application/json"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "ico": "image/x-icon"
        case "woff2": "font/woff2"
        case "txt": "text/plain; charset=utf-8"
        default: "application/octet-stream"
        }
    }

    /// Content Security Policy of every page: our own scripts and styles only, images also from
    /// blobs and data URLs the pages make themselves, never framed by another site.
    static let pagePolicy = "default-src 'self'; img-src 'self' blob: data:; object-src 'none'; base-uri 'none'; "
        + "form-action 'self'; frame-ancestors 'none'"

    /// The file at `path` as a response: 304 when the browser's copy is current (If-None-Match),
    /// 404 for anything not in the table. Browsers revalidate each use (`no-cache`), so a new
    /// release is picked up at once while unchanged files cost a 304.
    func response(for path: String, request: Request) -> Response {
        guard let asset = files[path] else {
            return Response(status: .notFound, headers: [.contentType: "text/plain; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: "no such file\n")))
        }
        var headers: HTTPFields = [.eTag: asset.etag, .cacheControl: "no-cache",
                                   .xContentTypeOptions: "nosniff"]
        if let sent = request.headers[.ifNoneMatch],
           sent.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == asset.etag || $0 == "*" }) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = asset.contentType
        if asset.contentType.hasPrefix("text/html") { headers[.contentSecurityPolicy] = Self.pagePolicy }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: asset.bytes))
    }
}
