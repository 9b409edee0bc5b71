extension Duration {
    /// The duration in seconds, for logs, reports and `Date` arithmetic.
    public var seconds: Double {
        self / .seconds(1)
    }
}
