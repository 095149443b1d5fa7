/// Shape checks and window geometry shared by the convolution and pooling layers.
enum WindowShapes {
    /// "(None, height, width, channels)" / "(None, steps, channels)": the expected shape, batch included.
    static func axesDescription(rank: Int) -> String {
        rank == 1 ? "(None, steps, channels)" : rank == 2 ? "(None, height, width, channels)" : "(None, depth, height, width, channels)"
    }

    static func tuple(_ v: [Int]) -> String { "(" + v.map(String.init).joined(separator: ", ") + (v.count == 1 ? ",)" : ")") }

    /// Checks a per-example input shape has `rank` spatial axes plus channels.
    static func checkRank(_ type: String, _ layer: String, _ input: [Int], rank: Int) throws {
        guard input.count == rank + 1 else {
            throw ShapeError(layer: layer, "\(type) expects input of shape \(axesDescription(rank: rank)), got \(kerasShape(input))")
        }
        guard input.allSatisfy({ $0 > 0 }) else {
            throw ShapeError(layer: layer, "\(type) got an input with an empty axis: \(kerasShape(input))")
        }
    }

    /// Expands a Keras int-or-tuple argument to `rank` values, checking each is positive.
    static func expand(_ v: [Int], rank: Int, _ what: String, _ type: String, _ layer: String) throws -> [Int] {
        let r = v.count == 1 ? [Int](repeating: v[0], count: rank) : v
        guard r.count == rank, r.allSatisfy({ $0 > 0 }) else {
            throw ShapeError(layer: layer, "\(type) \(what) must be \(rank) positive integer(s), got \(tuple(v))")
        }
        return r
    }

    /// The geometry of a `rank`-D window (1 or 2) over `input` (spatial axes + channels).
    /// Throws when the (dilated) window does not fit the input.
    static func geometry(_ type: String, _ layer: String, input: [Int], rank: Int, kernel: [Int], strides: [Int],
                         dilation: [Int], padding: ConvPadding, outChannels: Int, groups: Int = 1) throws -> ConvGeometry {
        try checkRank(type, layer, input, rank: rank)
        let k = try expand(kernel, rank: rank, "kernel_size", type, layer)
        let s = try expand(strides, rank: rank, "strides", type, layer)
        let d = try expand(dilation, rank: rank, "dilation_rate", type, layer)
        if padding == .causal && rank != 1 {
            throw ShapeError(layer: layer, "\(type) does not support padding \"causal\" (only Conv1D does)")
        }
        let spatial = Array(input.prefix(rank))
        var outs: [(out: Int, padBefore: Int)] = []
        for i in 0..<rank {
            guard let a = ConvGeometry.axis(input: spatial[i], kernel: k[i], stride: s[i], dilation: d[i], padding: padding) else {
                let eff = (0..<rank).map { (k[$0] - 1) * d[$0] + 1 }
                throw ShapeError(layer: layer, "\(type) window \(tuple(eff)) (kernel \(tuple(k)), dilation \(tuple(d))) is larger than the input \(kerasShape(input)) with padding \"\(padding.rawValue)\"")
            }
            outs.append(a)
        }
        return ConvGeometry(inH: rank == 2 ? spatial[0] : 1, inW: spatial[rank - 1], inC: input[rank],
                            kh: rank == 2 ? k[0] : 1, kw: k[rank - 1], sh: rank == 2 ? s[0] : 1, sw: s[rank - 1],
                            dh: rank == 2 ? d[0] : 1, dw: d[rank - 1],
                            padTop: rank == 2 ? outs[0].padBefore : 0, padLeft: outs[rank - 1].padBefore,
                            outH: rank == 2 ? outs[0].out : 1, outW: outs[rank - 1].out, outC: outChannels, groups: groups)
    }

    /// The per-example output shape of a geometry.
    static func outputShape(_ g: ConvGeometry, rank: Int) -> [Int] {
        rank == 1 ? [g.outW, g.outC] : [g.outH, g.outW, g.outC]
    }

    /// Keras rejects strides > 1 combined with dilation_rate > 1.
    static func checkStridesDilation(_ type: String, _ layer: String, strides: [Int], dilation: [Int]) throws {
        if strides.contains(where: { $0 > 1 }) && dilation.contains(where: { $0 > 1 }) {
            throw ShapeError(layer: layer, "\(type): strides > 1 is not supported together with dilation_rate > 1 (strides=\(tuple(strides)), dilation_rate=\(tuple(dilation)))")
        }
    }
}
