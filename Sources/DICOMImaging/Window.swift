/// A VOI window (PS3.3 C.11.2.1.2): centre and width in modality units, and the function that
/// maps them to output.
public struct Window: Hashable, Sendable {
    /// VOI LUT Function (0028,1056).
    public enum Function: String, Hashable, Sendable {
        case linear = "LINEAR"
        case linearExact = "LINEAR_EXACT"
        case sigmoid = "SIGMOID"
    }

    public var center: Double
    public var width: Double
    public var function: Function

    public init(center: Double, width: Double, function: Function = .linear) {
        self.center = center
        self.width = width
        self.function = function
    }

    /// Output in 0…1 for an input in modality units.
    @inline(__always)
    func apply(_ x: Double) -> Double {
        switch function {
        case .linear:
            // C.11.2.1.2.1: width below 1 is not meaningful; treat it as 1.
            let w = max(width, 1), c = center
            if x <= c - 0.5 - (w - 1) / 2 { return 0 }
            if x > c - 0.5 + (w - 1) / 2 { return 1 }
            return w == 1 ? 1 : (x - (c - 0.5)) / (w - 1) + 0.5
        case .linearExact:
            let w = max(width, .leastNonzeroMagnitude)
            if x <= center - w / 2 { return 0 }
            if x > center + w / 2 { return 1 }
            return (x - center) / w + 0.5
        case .sigmoid:
            return 1 / (1 + exp(-4 * (x - center) / max(width, .leastNonzeroMagnitude)))
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
