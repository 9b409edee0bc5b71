import Foundation

/// UIDs under the `2.25` root: the decimal form of a random UUID (PS3.5 §B.2), so synthetic
/// studies never collide with real ones or with each other.
enum SyntheticUID {
    static func make() -> String {
        let uuid = UUID().uuid
        let bytes = withUnsafeBytes(of: uuid) { Array($0) }
        return "2.25." + decimalString(ofBigEndian: bytes)
    }

    /// The decimal digits of an unsigned big-endian integer of any size (long division by 10).
    static func decimalString(ofBigEndian bytes: [UInt8]) -> String {
        var number = bytes.drop { $0 == 0 }.map(UInt32.init)
        guard !number.isEmpty else { return "0" }
        var digits: [Character] = []
        while !number.isEmpty {
            var remainder: UInt32 = 0
            var quotient: [UInt32] = []
            for byte in number {
                let current = remainder << 8 | byte
                let digit = current / 10
                remainder = current % 10
                if !quotient.isEmpty || digit != 0 { quotient.append(digit) }
            }
            digits.append(Character(String(remainder)))
            number = quotient
        }
        return String(digits.reversed())
    }
}
