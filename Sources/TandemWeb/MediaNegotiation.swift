import Hummingbird

/// `Accept` negotiation (PS3.18 §8.7.3), kept simple: a request is acceptable when it has no
/// Accept header, or one of its media ranges matches one of the offered types (`*/*`,
/// `application/*` and parameters such as `transfer-syntax` are weighed by the route itself).
enum MediaNegotiation {
    /// The media ranges of the Accept header, lower-cased, without parameters.
    static func ranges(_ request: Request) -> [String] {
        guard let accept = request.headers[values: .accept].joined(separator: ",") as String?, !accept.isEmpty else { return [] }
        return accept.split(separator: ",").compactMap { range in
            range.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        }
    }

    /// The full Accept media ranges, parameters included (for `type=` and `transfer-syntax=`).
    static func fullRanges(_ request: Request) -> [String] {
        request.headers[values: .accept].flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
    }

    static func requireAcceptable(_ request: Request, offered: [String]) throws {
        let ranges = ranges(request)
        guard !ranges.isEmpty else { return }
        for range in ranges {
            if range == "*/*" { return }
            for type in offered {
                if range == type { return }
                if range.hasSuffix("/*"), type.hasPrefix(range.dropLast(1)) { return }
            }
        }
        throw HTTPError(.notAcceptable, message: "can answer \(offered.joined(separator: " or ")) only")
    }
}
