/// Keras's padding modes for convolution and pooling windows.
public enum ConvPadding: String, Sendable {
    /// No padding: windows lie fully inside the input.
    case valid
    /// out = ceil(in / stride); the total pad is split with the extra cell after (TF/Keras).
    case same
    /// Conv1D only: pad (kernel-1)·dilation cells before, none after.
    case causal
}

/// The shape arithmetic of a 2-D sliding window over channels-last tensors
/// (batch, height, width, channels). 1-D layers use height 1 and a 1×k window.
///
/// Output position (oy, ox) reads input rows `oy·strideH − padTop + ky·dilationH` and
/// columns `ox·strideW − padLeft + kx·dilationW`; cells outside the input are zero.
public struct ConvGeometry: Hashable, Sendable {
    public var inH: Int, inW: Int, inC: Int
    public var kh: Int, kw: Int
    public var sh: Int, sw: Int
    public var dh: Int, dw: Int
    public var padTop: Int, padLeft: Int
    public var outH: Int, outW: Int, outC: Int
    public var groups: Int

    public init(inH: Int, inW: Int, inC: Int, kh: Int, kw: Int, sh: Int = 1, sw: Int = 1, dh: Int = 1, dw: Int = 1,
                padTop: Int = 0, padLeft: Int = 0, outH: Int, outW: Int, outC: Int, groups: Int = 1) {
        self.inH = inH; self.inW = inW; self.inC = inC; self.kh = kh; self.kw = kw; self.sh = sh; self.sw = sw
        self.dh = dh; self.dw = dw; self.padTop = padTop; self.padLeft = padLeft
        self.outH = outH; self.outW = outW; self.outC = outC; self.groups = groups
    }

    /// Input channels per group.
    public var groupInC: Int { inC / groups }
    /// Output channels per group.
    public var groupOutC: Int { outC / groups }
    /// Columns of one group's im2col block: kh·kw·groupInC.
    public var groupK: Int { kh * kw * groupInC }
    /// Columns of an im2col row: kh·kw·inC.
    public var colK: Int { kh * kw * inC }

    /// True for a 1×1, stride-1, unpadded, ungrouped window: im2col is the input itself.
    public var isPointwise: Bool {
        kh == 1 && kw == 1 && sh == 1 && sw == 1 && padTop == 0 && padLeft == 0 && groups == 1
            && outH == inH && outW == inW
    }

    /// Output length and pad-before along one axis, as Keras computes them; nil when
    /// the (dilated) window does not fit the input.
    public static func axis(input: Int, kernel: Int, stride: Int, dilation: Int,
                            padding: ConvPadding) -> (out: Int, padBefore: Int)? {
        let eff = (kernel - 1) * dilation + 1
        switch padding {
        case .valid:
            guard input >= eff else { return nil }
            return ((input - eff) / stride + 1, 0)
        case .same:
            guard input > 0 else { return nil }
            let out = (input + stride - 1) / stride
            let total = Swift.max((out - 1) * stride + eff - input, 0)
            return (out, total / 2)
        case .causal:
            guard input > 0 else { return nil }
            return ((input - 1) / stride + 1, eff - 1)
        }
    }
}

// MARK: - im2col / col2im

extension ConvGeometry {
    /// Writes the im2col matrix of `batch` examples of `x` into `col`: one row per
    /// output pixel (b, oy, ox), columns ordered (group, ky, kx, channel-in-group) so a
    /// group's columns are contiguous and match the kernel layout (kh, kw, in/groups, out).
    func im2col(_ x: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>, batch: Int) {
        let K = colK, gc = groupInC, rowLen = kw * inC
        var row = col
        for b in 0..<batch {
            let xb = x + b * inH * inW * inC
            for oy in 0..<outH {
                let iy0 = oy * sh - padTop
                let rowsInside = iy0 >= 0 && iy0 + (kh - 1) * dh < inH
                for ox in 0..<outW {
                    let ix0 = ox * sw - padLeft
                    if groups == 1 && dw == 1 && rowsInside && ix0 >= 0 && ix0 + kw <= inW {
                        // The window lies inside the input: kh straight copies, no checks.
                        var src = xb + (iy0 * inW + ix0) * inC, dst = row
                        for _ in 0..<kh { copyFloats(dst, src, rowLen); dst += rowLen; src += dh * inW * inC }
                    } else if groups == 1 && dw == 1 {
                        // Each kernel row is a contiguous run of kw·inC input values.
                        let kx0 = Swift.max(0, -ix0), kx1 = Swift.min(kw, inW - ix0)
                        var dst = row
                        for ky in 0..<kh {
                            let iy = iy0 + ky * dh
                            if iy < 0 || iy >= inH || kx1 <= kx0 {
                                dst.update(repeating: 0, count: rowLen)
                            } else {
                                if kx0 > 0 { dst.update(repeating: 0, count: kx0 * inC) }
                                copyFloats(dst + kx0 * inC, xb + (iy * inW + ix0 + kx0) * inC, (kx1 - kx0) * inC)
                                if kx1 < kw { dst.advanced(by: kx1 * inC).update(repeating: 0, count: (kw - kx1) * inC) }
                            }
                            dst += rowLen
                        }
                    } else {
                        var dst = row
                        for g in 0..<groups {
                            for ky in 0..<kh {
                                let iy = iy0 + ky * dh
                                for kx in 0..<kw {
                                    let ix = ix0 + kx * dw
                                    if iy < 0 || iy >= inH || ix < 0 || ix >= inW {
                                        dst.update(repeating: 0, count: gc)
                                    } else {
                                        copyFloats(dst, xb + (iy * inW + ix) * inC + g * gc, gc)
                                    }
                                    dst += gc
                                }
                            }
                        }
                    }
                    row += K
                }
            }
        }
    }

    /// The adjoint of `im2col`: adds every column entry back onto the input cell it was
    /// read from. `x` must be zeroed by the caller.
    func col2im(_ col: UnsafePointer<Float>, _ x: UnsafeMutablePointer<Float>, batch: Int) {
        let K = colK, gc = groupInC
        var row = col
        for b in 0..<batch {
            let xb = x + b * inH * inW * inC
            for oy in 0..<outH {
                let iy0 = oy * sh - padTop
                for ox in 0..<outW {
                    let ix0 = ox * sw - padLeft
                    var src = row
                    for g in 0..<groups {
                        for ky in 0..<kh {
                            let iy = iy0 + ky * dh
                            if iy < 0 || iy >= inH { src += kw * gc; continue }
                            for kx in 0..<kw {
                                let ix = ix0 + kx * dw
                                if ix >= 0 && ix < inW {
                                    let dst = xb + (iy * inW + ix) * inC + g * gc
                                    for c in 0..<gc { dst[c] += src[c] }
                                }
                                src += gc
                            }
                        }
                    }
                    row += K
                }
            }
        }
    }
}

/// Copies `n` floats; short runs (a 3×3 kernel over 1 channel) skip the memmove call.
@inline(__always)
func copyFloats(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, _ n: Int) {
    if n <= 16 { for i in 0..<n { dst[i] = src[i] } } else { dst.update(from: src, count: n) }
}
