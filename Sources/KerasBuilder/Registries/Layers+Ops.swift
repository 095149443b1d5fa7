import KerasEngine
import KerasSpec
import KerasText

/// `keras.ops` functions applied to tensors in a functional graph, under their function
/// names with the `ops.` prefix (Keras 3 serializes `x + 3.0` as the operation class
/// `Add` of `keras.src.ops.numpy`; Keras JSON import names it `ops.add`). The call's
/// positional operands are the layer's `inputs` — tensor names and numbers, in Keras's
/// order (`ops.subtract: {inputs: [3.0, x]}` is `3.0 - x`) — and the function's other
/// arguments are named as in `keras.ops` (`axis`, `keepdims`, `newshape`, `axes`).
/// Axes count the batch axis, as in Keras; an operation may not reduce, move or reshape
/// the batch axis.
extension LayerRegistry {
    static let ops: [Registry<any Layer>.Entry] =
        OperationLayer.Binary.allCases.map { op in
            .init(["ops.\(op.rawValue)"] + (op == .divide ? ["ops.true_divide"] : []), { o in try operation(o, .binary(op)) })
        }
        + [.init(["ops.power"], { o in try operation(o, .power) })]
        + OperationLayer.Unary.allCases.map { op in
            .init(["ops.\(op.rawValue)"] + (op == .absolute ? ["ops.abs"] : []), { o in try operation(o, .unary(op)) })
        }
        + activationOps.map { names, activation in .init(names.map { "ops.\($0)" }, { o in try activationOperation(o, activation) }) }
        + OperationLayer.Reduction.allCases.map { kind in
            .init(["ops.\(kind.rawValue)"], { o in
                let r = try o.reader()
                let axes = try batchFreeAxes(r, "axis")
                let keep = try r.bool("keepdims", default: false)
                return try operation(o, .reduce(kind, axes: axes, keepdims: keep), reader: r)
            })
        }
        + [
            .init(["ops.reshape"], { o in
                let r = try o.reader()
                guard let shape = try r.intList("newshape") else { throw r.missing("newshape") }
                guard let first = shape.first, first == -1 else {
                    throw r.error("newshape must keep the batch axis: start it with -1, e.g. [-1, 4, 6], got \(shape)", key: "newshape")
                }
                return try operation(o, .reshape(Array(shape.dropFirst())), reader: r)
            }),
            .init(["ops.transpose"], { o in
                let r = try o.reader()
                guard let axes = try r.intList("axes") else { throw r.error("ops.transpose needs axes (the batch axis stays first: [0, ...])", key: "axes") }
                guard axes.first == 0, axes.dropFirst().allSatisfy({ $0 > 0 }) else {
                    throw r.error("axes must keep the batch axis first and count it: [0, ...], got \(axes)", key: "axes")
                }
                return try operation(o, .transpose(axes.dropFirst().map { $0 - 1 }), reader: r)
            }),
            .init(["ops.expand_dims"], { o in
                let r = try o.reader()
                guard let axes = try batchFreeAxes(r, "axis"), axes.count == 1 else { throw r.missing("axis") }
                return try operation(o, .expandDims(axes[0]), reader: r)
            }),
            .init(["ops.squeeze"], { o in
                let r = try o.reader()
                return try operation(o, .squeeze(try batchFreeAxes(r, "axis")), reader: r)
            }),
            .init(["ops.concatenate"], { o in
                let r = try o.reader()
                let axes = try batchFreeAxes(r, "axis") ?? [-1]
                guard axes.count == 1 else { throw r.error("axis must be one integer", key: "axis") }
                return try operation(o, .concatenate(axis: axes[0]), reader: r)
            }),
        ]

    /// The `keras.ops.nn` activations (with `keras.ops`'s defaults, e.g. `ops.gelu`'s
    /// `approximate: true`): their arguments are read as the activation's. The first name
    /// is the function whose operation class Keras writes (`ops.swish` is `Silu`).
    static let activationOps: [([String], Activation)] = [
        (["relu"], .relu()), (["relu6"], .relu6), (["sigmoid"], .sigmoid), (["silu", "swish"], .silu),
        (["hard_sigmoid"], .hardSigmoid), (["hard_silu", "hard_swish"], .hardSilu),
        (["gelu"], .gelu(approximate: true)), (["elu"], .elu()), (["selu"], .selu), (["softplus"], .softplus),
        (["softsign"], .softsign), (["leaky_relu"], .leakyRelu()), (["softmax"], .softmax()), (["log_softmax"], .logSoftmax()),
    ]

    static func activationOperation(_ o: ObjectSpec, _ standard: Activation) throws -> any Layer {
        let r = try o.reader()
        var activation = standard
        switch standard {
        case .gelu: activation = .gelu(approximate: try r.bool("approximate", default: true))
        case .elu: activation = .elu(alpha: Float(try r.double("alpha", default: 1)))
        case .leakyRelu: activation = .leakyRelu(negativeSlope: Float(try r.double("negative_slope", default: 0.2)))
        case .softmax, .logSoftmax:
            let axes = try batchFreeAxes(r, "axis") ?? [-1]
            guard axes.count == 1 else { throw r.error("axis must be one integer", key: "axis") }
            guard axes[0] == -1 else { throw r.error("only the last axis (-1) is supported", key: "axis") }
        default: break
        }
        return try operation(o, .activation(activation), reader: r)
    }

    /// Makes the operation: `o.callConstants` are its constant operands.
    static func operation(_ o: ObjectSpec, _ function: OperationLayer.Function, reader: ArgReader? = nil) throws -> any Layer {
        let r = try reader ?? o.reader()
        try r.finish()
        var constants: [Int: Float] = [:]
        for c in o.callConstants { constants[c.position] = Float(c.value) }
        // Keras's operation class from the entry's first name (`ops.abs` is `Absolute`).
        let canonical = LayerRegistry.table.entry(named: o.name)?.name ?? o.name
        let className = canonical.dropFirst(4).split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        return OperationLayer(function, constants: constants, typeName: className, name: o.instanceName ?? String(o.name.dropFirst(4)))
    }

    /// Keras axes (counting the batch axis) as per-example axes: `axis` may be one
    /// integer or a list; nil when absent or null. Axis 0 (the batch) is an error.
    static func batchFreeAxes(_ r: ArgReader, _ key: String) throws -> [Int]? {
        guard let node = r.node(key), !node.isNull else { r.markUsed(key); return nil }
        let axes = node.items == nil ? (try r.int(key)).map { [$0] } : try r.intList(key)
        guard let axes else { return nil }
        if axes.contains(0) { throw r.error("an operation over the batch axis (0) is not supported", key: key) }
        return axes.map { $0 > 0 ? $0 - 1 : $0 }
    }
}
