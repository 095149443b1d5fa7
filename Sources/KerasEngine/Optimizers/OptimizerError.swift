/// A bad optimizer, schedule or regularizer argument, reported as Keras reports it.
public enum OptimizerError: Error, Equatable, CustomStringConvertible {
    /// `argument` of `owner` (an optimizer, schedule or regularizer class) got `value`; `expected` says what is allowed.
    case invalidArgument(owner: String, argument: String, value: String, expected: String)
    /// More than one of clipnorm, clipvalue and global_clipnorm was set.
    case conflictingClipping(optimizer: String, clipnorm: Float?, clipvalue: Float?, globalClipnorm: Float?)

    public var description: String {
        switch self {
        case let .invalidArgument(o, a, v, e):
            return "\(o): invalid value for argument `\(a)`: expected \(e), received \(a)=\(v)"
        case let .conflictingClipping(o, n, v, g):
            func s(_ x: Float?) -> String { x.map { "\($0)" } ?? "None" }
            return "\(o): only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
                + "Received: clipnorm=\(s(n)), clipvalue=\(s(v)), global_clipnorm=\(s(g))"
        }
    }
}
