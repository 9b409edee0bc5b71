// swift-tools-version:6.1
// Tandem PACS — layered libraries under Sources/, thin executables (see docs/design.md).
import PackageDescription

let package = Package(
    name: "Tandem",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "dcmrecv", targets: ["dcmrecv"]),
        .executable(name: "dcmsend", targets: ["dcmsend"]),
        .executable(name: "dcmroute", targets: ["dcmroute"]),
        .executable(name: "dcmweb", targets: ["dcmweb"]),
        .executable(name: "clusterctl", targets: ["clusterctl"]),
        .executable(name: "dcmsynth", targets: ["dcmsynth"]),
        .executable(name: "dcmimage", targets: ["dcmimage"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.25.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        // dcmweb's HTTP server (HTTP/1.1 on SwiftNIO, streamed request and response bodies, TLS) and
        // its password hashes (bcrypt): a maintained server stack instead of a hand-made HTTP parser.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        // SHA-256 of bearer tokens and session ids (only digests are stored) and their random bytes.
        .package(url: "https://github.com/apple/swift-crypto", "3.12.0"..<"5.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        // dcmweb's HTTPS ([web] tls_certificate, tls_key): PEM files loaded with NIOSSL.
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
        // dcmweb's /metrics: the Prometheus registry and text exposition (counters, histograms).
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
    ],
    targets: [
        // zlib, for the Deflated Explicit VR Little Endian transfer syntax (PS3.5 §A.5).
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),

        // Codec libraries behind a C interface (Debian 12 packages in scripts/install-deps.sh):
        // the IJG 8/12/16-bit builds GDCM ships (libgdcm-dev) for JPEG incl. lossless, CharLS
        // (libcharls-dev) for JPEG-LS, OpenJPEG (libopenjp2-7-dev) for JPEG 2000 and HTJ2K, and
        // libjpeg (libjpeg-dev) for rendered output. GDCM has no pkg-config file, hence the paths.
        .target(name: "CImagingCodecs",
                cSettings: [.unsafeFlags(["-I/usr/include/gdcm-3.0", "-I/usr/include/openjpeg-2.5"])],
                linkerSettings: [.linkedLibrary("gdcmjpeg8"), .linkedLibrary("gdcmjpeg12"),
                                 .linkedLibrary("gdcmjpeg16"), .linkedLibrary("charls"),
                                 .linkedLibrary("openjp2"), .linkedLibrary("jpeg")]),
        // DICOM data model: PS3.5 encoding, PS3.6 dictionary, PS3.10 files. Foundation only.
        .target(name: "DICOMCore", dependencies: ["CZlib"]),
        // Synthetic studies for tests, benchmarks and the README sample.
        .target(name: "DICOMSynthetic", dependencies: ["DICOMCore"]),
        // DICOM network: PS3.8 upper layer, PS3.7 DIMSE, SCP/SCU on SwiftNIO.
        .target(name: "DICOMNetwork", dependencies: [
            "DICOMCore",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOExtras", package: "swift-nio-extras"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Pixels: frames of a data set, decoding behind one codec interface, rendering to 8-bit,
        // PNG/JPEG output, thumbnails, transcoding to native syntaxes. No network, no archive.
        .target(name: "DICOMImaging", dependencies: ["DICOMCore", "CImagingCodecs", "CZlib"]),
        // Archive: data root, configuration, ingest (durable writes, indexing), SQLite index, jobs, epoch.
        .target(name: "TandemArchive", dependencies: [
            "DICOMCore",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "TOMLKit", package: "TOMLKit"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ]),
        // The DICOM listener: association policy, the storage SCP over the archive's ingest, and
        // retrieve and storage commitment (whose sub-operations and reports go out with TandemSend).
        .target(name: "TandemReceiver", dependencies: ["DICOMCore", "DICOMNetwork", "TandemArchive", "TandemSend",
            .product(name: "Logging", package: "swift-log")]),
        .target(name: "TandemRouting", dependencies: ["TandemArchive", "TandemSend", "DICOMCore", "DICOMNetwork",
                                                .product(name: "Logging", package: "swift-log")]),
        .target(name: "TandemCluster", dependencies: ["TandemArchive", "DICOMNetwork"]),
        // C-STORE SCU: file inventory, association planning, sending, per-file results (dcmsend, dcmroute).
        .target(name: "TandemSend", dependencies: ["DICOMCore", "DICOMNetwork", "DICOMImaging", .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log")]),
        // The frame every executable runs in: logging, the data root, opening the archive, signals,
        // and the one table from the libraries' failures to exit codes.
        .target(name: "TandemCLI", dependencies: [
            "DICOMNetwork", "TandemArchive", "TandemCluster", "TandemReceiver", "TandemSend",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        .executableTarget(name: "dcmrecv", dependencies: ["TandemCLI", "DICOMNetwork", "TandemArchive", "TandemReceiver",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "dcmsend", dependencies: ["TandemCLI", "TandemSend", "DICOMNetwork", "DICOMCore",
            .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "dcmroute", dependencies: ["TandemCLI", "TandemRouting", "TandemArchive",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        // dcmweb: DICOMweb (PS3.18) over the archive, users, sessions and roles, health.
        // Assets/: the reading room's static files (docs/reading-room.md), copied as they are into the
        // resource bundle beside the binary.
        .target(name: "TandemWeb", dependencies: ["DICOMCore", "DICOMImaging", "TandemArchive",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "_NIOFileSystem", package: "swift-nio"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "NIOTLS", package: "swift-nio"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Logging", package: "swift-log")],
            resources: [.copy("Assets")]),
        .executableTarget(name: "dcmweb", dependencies: ["TandemCLI", "TandemArchive", "TandemWeb",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "clusterctl", dependencies: ["TandemCLI", "TandemCluster", "TandemArchive",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ArgumentParser", package: "swift-argument-parser")]),

        // Renders frames to PNG/JPEG and transcodes to uncompressed syntaxes (admins, benchmarks).
        .executableTarget(name: "dcmimage", dependencies: ["TandemCLI", "DICOMImaging", "DICOMCore",
            .product(name: "ArgumentParser", package: "swift-argument-parser")]),

        // Developer tool: writes synthetic studies for tests, benchmarks and the README sample.
        .executableTarget(name: "dcmsynth", dependencies: ["TandemCLI", "DICOMSynthetic",
            .product(name: "ArgumentParser", package: "swift-argument-parser")]),

        .testTarget(name: "DICOMCoreTests", dependencies: ["DICOMCore", "DICOMSynthetic"]),
        .testTarget(name: "DICOMImagingTests", dependencies: ["DICOMImaging", "DICOMCore"]),
        .testTarget(name: "TandemArchiveTests", dependencies: ["TandemArchive", "DICOMCore", "DICOMSynthetic",
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio")]),
        .testTarget(name: "TandemReceiverTests", dependencies: ["TandemReceiver", "TandemArchive", "DICOMNetwork"]),
        .testTarget(name: "TandemWebTests", dependencies: ["TandemWeb", "TandemArchive", "DICOMCore", "DICOMSynthetic",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio")]),
        .testTarget(name: "TandemClusterTests", dependencies: ["TandemCluster"]),
        .testTarget(name: "TandemCLITests", dependencies: ["TandemCLI", "TandemArchive", "TandemCluster", "TandemSend",
            .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .testTarget(name: "TandemRoutingTests", dependencies: ["TandemRouting", "TandemArchive", "TandemSend", "DICOMNetwork",
                                                       "DICOMSynthetic"]),
        .testTarget(name: "TandemSendTests", dependencies: ["TandemSend", "DICOMSynthetic",
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio")]),
        .testTarget(name: "DICOMNetworkTests", dependencies: ["DICOMNetwork", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOEmbedded", package: "swift-nio")]),
        // Runs the built executables and real DCMTK peers.
        .testTarget(name: "ToolTests", dependencies: ["DICOMCore", "DICOMSynthetic", "TandemSend", "DICOMImaging", "TandemCluster"]),
    ]
)
