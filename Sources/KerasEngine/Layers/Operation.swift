#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// A `keras.ops` function applied in a functional graph, as Keras 3 records one
/// (`x + 3.0`, `ops.mean(x, axis=[1, 2], keepdims=True)`, `ops.reshape(x, (-1, 4, 6))`):
/// a node without weights whose positional operands are the node's input tensors and,
/// at the positions in ``constants``, numbers.
///
/// Axes and shapes here exclude the batch axis (the builder converts Keras's, which
/// count it): `axes` 0 is the first axis after the batch; negative axes count from the end.
public final class OperationLayer: Layer {
    /// What the operation computes.
    public enum Function: Equatable, Sendable {
        /// Two operands, broadcast: add, subtract, multiply, divide, maximum, minimum.
        case binary(Binary)
        /// `x1 ** x2` with a constant exponent.
        case power
        /// One operand, elementwise.
        case unary(Unary)
        /// One operand through a Keras activation (`ops.sigmoid`, `ops.gelu`, ...).
        case activation(Activation)
        /// Mean or sum over `axes` (all axes after the batch when nil).
        case reduce(Reduction, axes: [Int]?, keepdims: Bool)
        /// Reshape to a per-example shape (one entry may be -1).
        case reshape([Int])
        /// Permute the per-example axes.
        case transpose([Int])
        /// Insert an axis of size 1.
        case expandDims(Int)
        /// Remove axes of size 1 (all of them when nil).
        case squeeze([Int]?)
        /// Join any number of tensors along `axis`.
        case concatenate(axis: Int)
    }

    public enum Binary: String, Sendable, CaseIterable { case add, subtract, multiply, divide, maximum, minimum }
    public enum Unary: String, Sendable, CaseIterable { case negative, absolute, square, sqrt, exp, log, tanh }
    public enum Reduction: String, Sendable, CaseIterable { case mean, sum }

    public var name: String
    public let function: Function
    /// Constant operands: position in the call → value.
    public let constants: [Int: Float]
    /// Keras's operation class (`Add`, `Mean`), shown by `summary`.
    public let typeName: String
    public var parameters: [Parameter] { [] }

    public init(_ function: Function, constants: [Int: Float] = [:], typeName: String, name: String) {
        (self.function, self.constants, self.typeName, self.name) = (function, constants, typeName, name)
    }

    /// Operands the function takes (nil: any number, at least one).
    var arity: Int? {
        switch function {
        case .binary, .power: 2
        case .concatenate: nil
        default: 1
        }
    }

    public func build(inputShapes: [[Int]], context: inout BuildContext) throws -> [[Int]] {
        let total = inputShapes.count + constants.count
        if let arity, total != arity {
            throw ShapeError(layer: name, "\(typeName) takes \(arity) operand\(arity == 1 ? "" : "s"), got \(inputShapes.count) tensor\(inputShapes.count == 1 ? "" : "s") and \(constants.count) constant\(constants.count == 1 ? "" : "s")")
        }
        if let bad = constants.keys.first(where: { $0 < 0 || $0 >= total }) {
            throw ShapeError(layer: name, "constant operand at position \(bad) of \(total)")
        }
        guard !inputShapes.isEmpty else { throw ShapeError(layer: name, "\(typeName) needs at least one tensor operand") }
        if case .concatenate = function {} else if arity == 1, !constants.isEmpty {
            throw ShapeError(layer: name, "\(typeName) takes a tensor, not a constant")
        }
        return [try outputShape(inputShapes)]
    }

    private func outputShape(_ shapes: [[Int]]) throws -> [Int] {
        let x = shapes[0]
        func axis(_ a: Int, rank: Int) throws -> Int {
            let r = a < 0 ? a + rank : a
            guard r >= 0, r < rank else { throw ShapeError(layer: name, "axis \(a) is out of range for an input of shape \(kerasShape(x)) (or it is the batch axis)") }
            return r
        }
        switch function {
        case .binary, .power:
            if case .power = function, constants[1] == nil {
                throw ShapeError(layer: name, "power needs a constant exponent (a tensor exponent is not supported)")
            }
            guard shapes.count == 2 else { return x }
            guard shapes[0].count == shapes[1].count, let out = Broadcast.shape(shapes[0], shapes[1]) else {
                throw ShapeError(layer: name, "cannot broadcast \(kerasShape(shapes[0])) with \(kerasShape(shapes[1]))")
            }
            return out
        case .unary, .activation:
            return x
        case let .reduce(_, axes, keepdims):
            let resolved = try Set((axes ?? Array(x.indices)).map { try axis($0, rank: x.count) })
            return x.enumerated().compactMap { resolved.contains($0.offset) ? (keepdims ? 1 : nil) : $0.element }
        case let .reshape(target):
            let known = target.filter { $0 != -1 }
            guard target.allSatisfy({ $0 > 0 || $0 == -1 }), target.count - known.count <= 1,
                  let have = ShapeArithmetic.count(x), let want = ShapeArithmetic.count(known), want > 0 else {
                throw ShapeError(layer: name, "cannot reshape \(kerasShape(x)) to \(kerasShape(target))")
            }
            if known.count == target.count {
                guard have == want else { throw ShapeError(layer: name, "cannot reshape \(kerasShape(x)) (\(have) values) to \(kerasShape(target)) (\(want))") }
                return target
            }
            guard have % want == 0 else { throw ShapeError(layer: name, "cannot reshape \(kerasShape(x)) to \(kerasShape(target))") }
            return target.map { $0 == -1 ? have / want : $0 }
        case let .transpose(perm):
            guard perm.count == x.count, Set(perm) == Set(x.indices) else {
                throw ShapeError(layer: name, "axes \(perm) are not a permutation of the \(x.count) axes of \(kerasShape(x))")
            }
            return perm.map { x[$0] }
        case let .expandDims(a):
            var out = x
            out.insert(1, at: try axis(a, rank: x.count + 1))
            return out
        case let .squeeze(axes):
            guard let axes else { return x.filter { $0 != 1 } }
            let resolved = try Set(axes.map { try axis($0, rank: x.count) })
            for a in resolved where x[a] != 1 { throw ShapeError(layer: name, "cannot squeeze axis \(a) of size \(x[a])") }
            return x.enumerated().filter { !resolved.contains($0.offset) }.map(\.element)
        case let .concatenate(a):
            let ax = try axis(a, rank: x.count)
            var out = x
            for s in shapes.dropFirst() {
                guard s.count == x.count, s.indices.allSatisfy({ $0 == ax || s[$0] == x[$0] }) else {
                    throw ShapeError(layer: name, "cannot concatenate \(shapes.map(kerasShape).joined(separator: " and ")) on axis \(a)")
                }
                out[ax] += s[ax]
            }
            return out
        }
    }

    public func forward(_ inputs: [Tensor], training: Bool) -> [Tensor] {
        // The operands in call order: tensors where no constant is given.
        var tensors = inputs.makeIterator()
        let count = inputs.count + constants.count
        let operands: [Tensor] = (0..<count).compactMap { i in constants[i].map { Tensor($0) } ?? tensors.next() }
        let x = operands[0]
        func full(_ a: Int) -> Int { a < 0 ? a + x.rank : a + 1 }
        switch function {
        case let .binary(op):
            let (a, b) = (operands[0], operands[1])
            switch op {
            case .add: return [a + b]
            case .subtract: return [a - b]
            case .multiply: return [a * b]
            case .divide: return [a / b]
            case .maximum: return [maximum(a, b)]
            case .minimum: return [minimum(a, b)]
            }
        case .power:
            let p = constants[1] ?? 1
            return [unaryOp(x, { powf($0, p) }, { v, _ in p * powf(v, p - 1) })]
        case let .unary(op):
            switch op {
            case .negative: return [x * Float(-1)]
            case .absolute: return [abs(x)]
            case .square: return [square(x)]
            case .sqrt: return [sqrt(x)]
            case .exp: return [exp(x)]
            case .log: return [log(x)]
            case .tanh: return [Activation.tanh(x)]
            }
        case let .activation(a):
            return [a(x)]
        case let .reduce(kind, axes, keepdims):
            let all = (axes ?? Array(0..<(x.rank - 1))).map(full)
            var y = x
            for a in Set(all).sorted(by: >) {
                y = kind == .mean ? mean(y, axis: a, keepDims: keepdims) : sum(y, axis: a, keepDims: keepdims)
            }
            return [y]
        case .reshape, .expandDims, .squeeze:
            let shape = (try? outputShape([Array(x.shape.dropFirst())])) ?? Array(x.shape.dropFirst())
            return [reshape(x, [x.shape[0]] + shape)]
        case let .transpose(perm):
            return [transpose(x, [0] + perm.map { $0 + 1 })]
        case let .concatenate(a):
            return [KerasEngine.concatenate(inputs, axis: full(a))]
        }
    }
}
