import Hummingbird
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// How a request proved who it is.
enum CredentialKind: String, Sendable {
    case basic, bearer, session
}

/// The user a request acts as.
struct Identity: Sendable {
    var user: WebUser
    var kind: CredentialKind
    /// The session's CSRF token (session credentials only).
    var csrfToken: String?
    /// The session id (session credentials only), for sign-out.
    var sessionID: String?
}

/// What the access log and the audit trail learn while the request runs: who (known only after
/// authentication, or after a sign-in form), and which study a store touched.
final class RequestNotes: Sendable {
    private let state = NIOLockedValueBox<(user: WebUser?, study: String?)>((nil, nil))

    var user: WebUser? {
        get { state.withLockedValue { $0.user } }
        set { state.withLockedValue { $0.user = newValue } }
    }

    /// The study a request acted on when its path does not name one (STOW-RS to /studies).
    var study: String? {
        get { state.withLockedValue { $0.study } }
        set { state.withLockedValue { $0.study = newValue } }
    }
}

/// The request context of every dcmweb route: the client's address and, once authenticated, who
/// is asking.
public struct WebContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?
    let localAddress: SocketAddress?
    let notes = RequestNotes()
    var identity: Identity?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        localAddress = source.channel.localAddress
    }

    /// Forms (sign-in) are small; DICOM bodies are streamed, never collected through this limit.
    public var maxUploadSize: Int { 64 * 1024 }

    /// The client's IP address as text, for logs, audit and the login throttle.
    var clientAddress: String { remoteAddress?.ipAddress ?? "-" }

    /// The user, or 401 when the request carries no valid credentials.
    func requireUser() throws -> Identity {
        guard let identity else { throw HTTPError(.unauthorized) }
        return identity
    }

    /// The user, if their role has `permission`; 401 without a login, 403 with the wrong role.
    @discardableResult
    func authorize(_ permission: Permission) throws -> Identity {
        let identity = try requireUser()
        guard permission.isGranted(to: identity.user.role) else {
            throw HTTPError(.forbidden, message: "role \(identity.user.role.rawValue) may not \(permission.rawValue)")
        }
        return identity
    }
}

/// What a route does, and which roles may do it (docs/dicomweb.md, "Roles").
enum Permission: String, Sendable {
    /// Search, view, download.
    case read
    /// STOW-RS.
    case store = "store instances"
    /// Claim, take over, release, finish or reopen the reading of a study.
    case setReadingStatus = "set reading status"

    func isGranted(to role: WebRole) -> Bool {
        switch self {
        case .read: true
        case .store: role == .technician || role == .admin
        case .setReadingStatus: role == .radiologist || role == .admin
        }
    }
}
