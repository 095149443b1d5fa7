/// Keras `Masking`: a time step whose features all equal `maskValue` is masked for the
/// layers after it, and its values are set to 0: keep = any(x[..., :] != mask_value),
/// y = x·keep. The mask has the input's shape without the last axis.
public final class Masking: UnaryLayer, MaskAware {
    public struct Config {
        public var maskValue: Float = 0
        public init() {}
    }

    public var name: String
    public let config: Config

    public init(_ config: Config = Config(), name: String = "masking") { self.config = config; self.name = name }
    public convenience init(maskValue: Float, name: String = "masking") {
        var c = Config(); c.maskValue = maskValue
        self.init(c, name: name)
    }

    public var parameters: [Parameter] { [] }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard !inputShape.isEmpty else { throw ShapeError(layer: name, "Masking needs an input with a feature axis, got \(kerasShape(inputShape))") }
        return inputShape
    }

    public func callAsFunction(_ x: Tensor, training: Bool) -> Tensor { forward([x], masks: [nil], training: training).outputs[0] }

    public func computeMask(inputs: [Tensor], masks: [Tensor?]) -> Tensor? { keepMask(inputs[0]) }

    /// 1 where any feature differs from mask_value.
    private func keepMask(_ x: Tensor) -> Tensor {
        let f = x.shape.last ?? 1, rows = x.count / Swift.max(f, 1)
        var keep = Tensor(uninitializedShape: Array(x.shape.dropLast()))
        let px = x.pointer, pk = keep.freshPointer, v = config.maskValue
        for r in 0..<rows {
            var any = false
            for j in 0..<f where px[r * f + j] != v { any = true; break }
            pk[r] = any ? 1 : 0
        }
        return keep
    }

    public func forward(_ inputs: [Tensor], masks: [Tensor?], training: Bool) -> (outputs: [Tensor], mask: Tensor?) {
        let x = inputs[0], f = x.shape.last ?? 1, rows = x.count / Swift.max(f, 1)
        let keep = keepMask(x)
        let px = x.pointer, pk = keep.pointer
        var out = Tensor(uninitializedShape: x.shape)
        let po = out.freshPointer
        for r in 0..<rows { for j in 0..<f { po[r * f + j] = px[r * f + j] * pk[r] } }
        let kept = keep
        let y = Tape.record(out, inputs: [x]) { g in
            var gx = Tensor(uninitializedShape: g.shape)
            let pg = g.pointer, pd = gx.freshPointer, pk = kept.pointer
            for r in 0..<rows { for j in 0..<f { pd[r * f + j] = pg[r * f + j] * pk[r] } }
            return [gx]
        }
        return ([y], keep)
    }
}
