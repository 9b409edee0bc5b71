import Foundation
import TandemArchive

/// The promote/demote/monitor/status logic behind `clusterctl`, for one node.
public struct ClusterNode: Sendable {
    public struct Settings: Sendable {
        /// The data root (on the shared volume).
        public var root: URL
        public var node: String
        /// Holds `promote.d/` and `demote.d/`.
        public var hooksDirectory: URL
        /// Node-local: role record and the services' pid files.
        public var runDirectory: URL
        public var services: [ServiceSpec]
        /// How long the services get to answer after the promote hooks ran.
        public var verifyTimeout: TimeInterval
        public var hookTimeout: TimeInterval

        public init(root: URL, node: String, hooksDirectory: URL, runDirectory: URL,
                    services: [ServiceSpec], verifyTimeout: TimeInterval = 30, hookTimeout: TimeInterval = 120) {
            self.root = root
            self.node = node
            self.hooksDirectory = hooksDirectory
            self.runDirectory = runDirectory
            self.services = services
            self.verifyTimeout = verifyTimeout
            self.hookTimeout = hookTimeout
        }
    }

    /// What a promote or demote did.
    public struct Report: Sendable, Equatable {
        /// False when the node already was in the requested role (nothing was run).
        public var changed: Bool
        public var epoch: Int64?
        public var hooks: [HookRunner.Result]
        /// Partial receives recovered and jobs released (promote only).
        public var recoveredIncoming = 0
        public var releasedJobs = 0
        /// Problems that did not fail the transition (e.g. the transition log was not writable).
        public var warnings: [String] = []
    }

    public enum Health: Sendable, Equatable {
        case running
        case stopped
        case failed(String)

        /// OCF exit codes: 0 running, 7 cleanly stopped, 1 failed.
        public var ocfExitCode: Int32 {
            switch self {
            case .running: return 0
            case .stopped: return 7
            case .failed: return 1
            }
        }
    }

    public let settings: Settings
    public let authority: any EpochAuthority
    public let housekeeping: (any PromotionHousekeeping)?
    public let checker: ServiceChecker

    public init(settings: Settings, authority: any EpochAuthority,
                housekeeping: (any PromotionHousekeeping)?, checker: ServiceChecker? = nil) {
        self.settings = settings
        self.authority = authority
        self.housekeeping = housekeeping
        self.checker = checker ?? ServiceChecker(runDirectory: settings.runDirectory)
    }

    var roleFile: URL { settings.runDirectory.appendingPathComponent("role.json") }
    var transitions: TransitionLog { TransitionLog(root: settings.root) }

    public func promote(now: Date = Date()) async throws -> Report {
        let current = try readAuthority { try authority.current() }
        let role = RoleRecord.load(from: roleFile)
        // Only this node's own run directory can show that it holds the epoch: a name proves nothing.
        let proof = role?.role == .active ? HolderProof.load(runDirectory: settings.runDirectory) : nil
        let held = try readAuthority { try authority.promote(node: settings.node, proof: proof) }
        if held == proof, await allServicesRunning() {
            return Report(changed: false, epoch: held.epoch, hooks: [])
        }
        var report = Report(changed: true, epoch: held.epoch, hooks: [])
        do {
            try held.save(runDirectory: settings.runDirectory)
            if let housekeeping {
                report.recoveredIncoming = try housekeeping.recoverIncoming()
                report.releasedJobs = try housekeeping.releaseJobs(claimedBefore: held.epoch)
            }
            // Claimed before the hooks run: if they fail half-way, monitor reports
            // "failed" and the cluster manager's stop (demote) cleans up.
            try RoleRecord(role: .active, node: settings.node, epoch: held.epoch, since: now).save(to: roleFile)
            report.hooks = try await hookRunner("promote.d").run(environment: hookEnvironment(role: .active, epoch: held.epoch))
            try await verifyServices()
        } catch {
            record(.promote, epoch: held.epoch, outcome: .failed, detail: "\(error)", now: now, into: &report)
            throw error
        }
        let detail = current.map { "took over epoch \($0.epoch) from \($0.holder)" } ?? "first promotion"
        record(.promote, epoch: held.epoch, outcome: .ok, detail: detail, now: now, into: &report)
        return report
    }

    /// Needs nothing but the node-local run directory (no index, no configuration): a stop must
    /// succeed on a node whose shared volume is broken or not mounted.
    public func demote(now: Date = Date()) async throws -> Report {
        // First of all: from now on this node admits no writer started without an epoch.
        try HolderProof.remove(runDirectory: settings.runDirectory)
        let role = RoleRecord.load(from: roleFile)
        if runsNothing {
            return Report(changed: false, epoch: role?.epoch, hooks: [])
        }
        var report = Report(changed: true, epoch: role?.epoch, hooks: [])
        do {
            report.hooks = try await hookRunner("demote.d").run(environment: hookEnvironment(role: .passive, epoch: role?.epoch))
            try RoleRecord(role: .passive, node: settings.node, epoch: role?.epoch, since: now).save(to: roleFile)
        } catch {
            record(.demote, epoch: role?.epoch, outcome: .failed, detail: "\(error)", now: now, into: &report)
            throw error
        }
        record(.demote, epoch: role?.epoch, outcome: .ok, detail: "services stopped", now: now, into: &report)
        return report
    }

    /// Neither active nor running any service, from the node-local run directory alone.
    public var runsNothing: Bool {
        RoleRecord.load(from: roleFile)?.role != .active && !settings.services.contains { checker.isRunning($0.name) }
    }

    /// On a passive node it reads nothing but the run directory, so it answers "stopped" whatever
    /// the shared volume holds.
    public func monitor() async -> Health {
        let role = RoleRecord.load(from: roleFile)
        guard role?.role == .active else {
            let stray = settings.services.filter { checker.isRunning($0.name) }.map(\.name)
            return stray.isEmpty ? .stopped : .failed("running while passive: \(stray.joined(separator: ", "))")
        }
        // A newer epoch elsewhere means this node has been fenced: its writes are refused.
        do {
            guard let current = try authority.current() else { return .failed("no epoch recorded") }
            if current.holder != settings.node || current.epoch != role?.epoch {
                return .failed("fenced: epoch \(current.epoch) is held by \(current.holder)")
            }
        } catch {
            return .failed("cluster state unavailable: \(error)")
        }
        let down = await servicesDown()
        return down.isEmpty ? .running : .failed("not answering: \(down.joined(separator: ", "))")
    }

    public func status(transitionLimit: Int = 10) async -> ClusterStatus {
        let role = RoleRecord.load(from: roleFile)
        var status = ClusterStatus(node: settings.node, role: role?.role ?? .passive, epoch: role?.epoch,
                                   since: role?.since)
        do {
            status.cluster = try authority.current()
        } catch {
            status.clusterError = "\(error)"
        }
        for service in settings.services {
            let check = await checker.check(service)
            status.services.append(.init(name: service.name, state: check.state,
                                         detail: check.state == .notAnswering ? check.detail : nil))
        }
        status.queueDepth = try? housekeeping?.queueDepth()
        status.transitions = transitions.recent(limit: transitionLimit)
        return status
    }

    // MARK: - Pieces

    func hookRunner(_ phase: String) -> HookRunner {
        HookRunner(directory: settings.hooksDirectory.appendingPathComponent(phase, isDirectory: true),
                   timeout: settings.hookTimeout)
    }

    func hookEnvironment(role: NodeRole, epoch: Int64?) -> [String: String] {
        [
            "TANDEM_ROOT": settings.root.path,
            "TANDEM_NODE": settings.node,
            "TANDEM_EPOCH": epoch.map(String.init) ?? "",
            "TANDEM_ROLE": role.rawValue,
            "TANDEM_RUN_DIR": settings.runDirectory.path,
            "TANDEM_SERVICES": settings.services.map(\.name).joined(separator: " "),
        ]
    }

    func allServicesRunning() async -> Bool {
        await servicesDown().isEmpty
    }

    /// The services that do not run or do not answer their probe, each with the probe's
    /// finding (e.g. "dcmrecv (no C-ECHO from 127.0.0.1:11112: no A-ASSOCIATE answer in time)").
    func servicesDown() async -> [String] {
        var down: [String] = []
        for service in settings.services {
            let check = await checker.check(service)
            switch check.state {
            case .running: continue
            case .stopped: down.append(service.name)
            case .notAnswering: down.append(service.name + (check.detail.map { " (\($0))" } ?? ""))
            }
        }
        return down
    }

    func verifyServices() async throws {
        let deadline = Date().addingTimeInterval(settings.verifyTimeout)
        while true {
            let down = await servicesDown()
            if down.isEmpty { return }
            if Date() >= deadline { throw ClusterError.servicesNotAnswering(down) }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    func readAuthority<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ClusterError {
            throw error
        } catch {
            throw ClusterError.authorityUnavailable("\(error)")
        }
    }

    func record(_ action: Transition.Action, epoch: Int64?, outcome: Transition.Outcome, detail: String,
                now: Date, into report: inout Report) {
        let transition = Transition(time: now, node: settings.node, action: action, epoch: epoch,
                                    outcome: outcome, detail: detail)
        do {
            try transitions.append(transition)
        } catch {
            report.warnings.append("transition log not written: \(error)")
        }
    }
}
