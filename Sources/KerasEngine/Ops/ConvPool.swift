import KerasKernels

/// A first convolution and the 2×2 max pooling that alone reads it, as one op in training
/// (Keras's classic first block, `Conv2D(..., activation="relu")` → `MaxPooling2D(2)`):
///
///     y[b, py, px, o] = max over the cells q of the window (2py, 2px) of act(conv(x, K)[cell] + bias[o])
///
/// with act ReLU or linear, the first cell winning a tie as ``maxPool2d``. The convolution's
/// output — four times the pooled one, written by the convolution, read by the pooling and
/// again by both backward passes when the layers run one by one — is never stored: the
/// forward computes each window's four convolutions in registers (`kk_conv_pool_small`) and
/// keeps the winning cell of each pooled value in a byte; the backward sends each pooled
/// gradient to that cell's window while summing dK and dbias (`kk_conv_pool_small_dk`).
/// The values are the layers' one by one within float rounding (the convolution's sums in
/// another order than oneDNN's).
///
/// Only where it pays and is exact to do so: the input is not differentiated (a first layer;
/// dx would need the convolution's full backward), one group, at most KK_CONV_DK_MAX_TAPS
/// kernel taps, a multiple of 16 filters, and a 2×2 pooling with strides 2, "valid", over
/// the whole convolution output. Nil otherwise: the caller runs the layers one by one.
func conv2dMaxPool(_ x: Tensor, _ kernel: Tensor, bias: Tensor?, geometry g: ConvGeometry, relu: Bool,
                   pool p: ConvGeometry) -> Tensor? {
    guard !x.isTracked, g.groups == 1, g.colK <= Int(KK_CONV_DK_MAX_TAPS), g.outC % 16 == 0, p.isPairPool,
          p.inH == g.outH, p.inW == g.outW, p.inC == g.outC, p.outH >= 1, p.outW >= 1,
          x.count == x.shape[0] * g.inH * g.inW * g.inC, kernel.count == g.colK * g.outC, bias.map({ $0.count == g.outC }) ?? true
    else { return nil }
    let n = x.shape[0], oc = g.outC
    let inSize = g.inH * g.inW * g.inC, outSize = p.outH * p.outW * oc
    let out = Tensor(uninitializedShape: [n, p.outH, p.outW, oc])
    let (tk, tb) = (kernel.isTracked, bias?.isTracked ?? false)
    // Each pooled value's window cell, a byte each (in a float buffer's storage), for the
    // backward: only when the kernel or bias is differentiated (x never is).
    let cells = tk || tb ? ScratchBuffer(count: (n * outSize + 3) / 4) : nil
    let geometry = g.kernelsGeometry
    let px = x.pointer, pk = kernel.pointer, pb = bias?.pointer, po = out.freshPointer
    let pc = cells.map { UnsafeMutableRawPointer($0.pointer) }
    ParallelBatch.run(n, chunks: ParallelBatch.chunks(n)) { _, b in
        withUnsafePointer(to: geometry) { gp in
            kk_conv_pool_small(px + b.lowerBound * inSize, pk, pb, relu ? 1 : 0, b.count, gp, po + b.lowerBound * outSize,
                               pc.map { $0 + b.lowerBound * outSize })
        }
    }
    withExtendedLifetime((x, kernel, bias)) {}
    guard let cells else { return out }   // nothing to differentiate (inference)
    var inputs = [x, kernel]
    if let bias { inputs.append(bias) }
    return Tape.record(out, inputs: inputs) { dy in
        let pdy = dy.pointer, py = relu ? out.pointer : nil, pc = UnsafeRawPointer(cells.pointer)
        defer { withExtendedLifetime((x, dy, out)) {} }
        let (gk, gb) = kernelGradientsByChunk(batch: n, geometry: g, kernelShape: kernel.shape, bias: bias != nil) { examples, dk, db in
            let first = examples.lowerBound
            withUnsafePointer(to: geometry) { gp in
                kk_conv_pool_small_dk(px + first * inSize, pdy + first * outSize, py.map { $0 + first * outSize },
                                      pc + first * outSize, examples.count, gp, dk, db)
            }
        }
        return [nil, tk ? gk : nil, tb ? gb : nil]
    }
}
