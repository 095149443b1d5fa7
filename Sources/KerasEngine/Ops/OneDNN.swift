import KerasDNNL
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Convolutions through oneDNN (Debian's libdnnl, the CPU library Keras's TensorFlow
/// backend runs on): its JIT AVX-512 kernels compute a forward convolution about twice as
/// fast as im2col + OpenBLAS on this machine kind (docs/PERFORMANCE.md). oneDNN wants the
/// kernel in its own blocked layout: the reordered kernel is cached per kernel storage and
/// redone when the storage's ``TensorStorage/version`` moves (an optimizer step), so
/// inference reorders each kernel once. Primitives are cached per shape.
///
/// `KERASCTL_ONEDNN=0` turns it off (the engine's own kernels run instead); so does a
/// shape oneDNN cannot make.
enum OneDNN {
    /// The elementwise function applied to the output inside oneDNN's kernel.
    enum PostOp: Hashable {
        case none, relu
        /// min(max(x, low), high): ReLU(max_value), relu6.
        case clip(low: Float, high: Float)
        /// x·sigmoid(x).
        case swish
    }

    /// Read once from the environment; tests switch it to compare with the engine's kernels.
    nonisolated(unsafe) static var enabled: Bool = getenv("KERASCTL_ONEDNN").map { String(cString: $0) != "0" } ?? true
    /// The kernel gradient of a 3×3 convolution with stride 1 and channels in multiples of 16
    /// runs oneDNN's Winograd convolution, F(4×4, 3×3), on x and dy reordered to its blocked
    /// layout (docs/PERFORMANCE.md, eleventh session: the reference CNN's conv2 2.54 → 2.00 ms a
    /// step, reorders included). Its sums are rounded differently from the direct convolution's,
    /// by about 1e-6 of their scale. The forward stays direct: Winograd's forward was faster,
    /// but transforming the kernel each training step (0.85 ms) and reordering x and y cost more
    /// than it saved. `KERASCTL_ONEDNN_WINOGRAD=0` turns it off.
    nonisolated(unsafe) static var winogradWeightGradient: Bool =
        getenv("KERASCTL_ONEDNN_WINOGRAD").map { String(cString: $0) != "0" } ?? true
    /// Convolution backward (data and weights) through oneDNN from this many input channels
    /// up; below, the engine's im2col backward, which wins on a first layer of 1–3 channels
    /// (docs/PERFORMANCE.md). `KERASCTL_ONEDNN_BACKWARD` overrides it (0: never).
    nonisolated(unsafe) static var backwardMinimumChannels: Int =
        getenv("KERASCTL_ONEDNN_BACKWARD").flatMap { Int(String(cString: $0)) } ?? 16

    /// `post(conv(x, kernel) + bias)` with oneDNN into a new tensor of `shape`, or nil when
    /// oneDNN cannot make this convolution (the caller runs its own kernels).
    static func conv2d(_ x: Tensor, _ kernel: Tensor, bias: Tensor?, geometry g: ConvGeometry, batch n: Int,
                       post: PostOp, outputShape: [Int]) -> Tensor? {
        guard enabled, let prim = primitive(Key(geometry: g, batch: n, bias: bias != nil, post: post)),
              let weights = weights(kernel, for: prim) else { return nil }
        var out = Tensor(uninitializedShape: outputShape)
        let status = withExtendedLifetime((weights, x, kernel, bias)) {
            kd_conv_forward(prim.handle, x.pointer, UnsafeRawPointer(weights.pointer), bias?.pointer, out.freshPointer)
        }
        return status == 0 ? out : nil
    }

    /// A depthwise convolution (groups = input channels; Keras's (kh, kw, in, multiplier)
    /// kernel is oneDNN's grouped layout) through oneDNN, or nil.
    static func depthwise(_ x: Tensor, _ kernel: Tensor, bias: Tensor?, geometry g: ConvGeometry, batch n: Int,
                          outputShape: [Int]) -> Tensor? {
        conv2d(x, kernel, bias: bias, geometry: g, batch: n, post: .none, outputShape: outputShape)
    }

    struct Key: Hashable {
        var geometry: ConvGeometry, batch: Int, bias: Bool, post: PostOp
        /// Backward only: the weights pass by Winograd (``winogradWeightGradient``).
        var winograd = false
    }

    final class Primitive: @unchecked Sendable {
        let handle: OpaquePointer
        let weightBytes: Int
        init(_ handle: OpaquePointer) { self.handle = handle; weightBytes = kd_conv_weights_bytes(handle) }
        deinit { kd_conv_destroy(handle) }
    }

    /// A kernel in oneDNN's layout, made from `source` at `version`. The source is held
    /// weakly: a kernel that is gone leaves a dead entry, dropped when the cache is full.
    final class Weights: @unchecked Sendable {
        weak var source: TensorStorage?
        var version: Int
        let pointer: UnsafeMutableRawPointer
        let bytes: Int
        init(source: TensorStorage, bytes: Int) {
            self.source = source
            version = source.version &- 1
            self.bytes = bytes
            pointer = .allocate(byteCount: Swift.max(bytes, 64), alignment: 64)
        }
        deinit { pointer.deallocate() }
    }

    struct WeightsKey: Hashable { var storage: ObjectIdentifier, primitive: ObjectIdentifier }

    /// Primitives by shape (nil: oneDNN could not make it — not retried).
    private static let primitives = Mutex<[Key: Primitive?]>([:])
    /// Reordered kernels by (kernel storage, primitive), bounded in bytes.
    private static let kernels = Mutex<[WeightsKey: Weights]>([:])
    private static let kernelCacheBytes = 1 << 30

    private static func primitive(_ key: Key) -> Primitive? {
        if let cached = primitives.withLock({ $0[key] }) { return cached }
        let g = key.geometry
        var shape = convShape(g, batch: key.batch)
        let (kind, alpha, beta): (kd_post, Float, Float) = switch key.post {
        case .none: (KD_POST_NONE, 0, 0)
        case .relu: (KD_POST_RELU, 0, 0)
        case let .clip(low, high): (KD_POST_CLIP, low, high)
        case .swish: (KD_POST_SWISH, 1, 0)
        }
        let made = kd_conv_create(&shape, key.bias ? 1 : 0, kind, alpha, beta).map(Primitive.init)
        primitives.withLock { cache in
            if cache.count >= 1024 { cache.removeAll() }
            cache[key] = made
        }
        return made
    }

    /// `kernel` in the layout `prim` reads, reordered again only when its values changed.
    private static func weights(_ kernel: Tensor, for prim: Primitive) -> Weights? {
        weights(kernel, owner: prim, bytes: prim.weightBytes) { kd_conv_prepare_weights(prim.handle, $0, $1) }
    }

    /// `kernel` reordered by `prepare` for `owner` (a primitive), cached per kernel storage and
    /// redone when the storage's version moved.
    private static func weights(_ kernel: Tensor, owner: AnyObject, bytes: Int,
                                prepare: (UnsafePointer<Float>, UnsafeMutableRawPointer) -> Int32) -> Weights? {
        let storage = kernel.storage
        let key = WeightsKey(storage: ObjectIdentifier(storage), primitive: ObjectIdentifier(owner))
        return kernels.withLock { cache -> Weights? in
            let entry: Weights
            if let hit = cache[key], hit.source === storage {
                entry = hit
            } else {
                entry = Weights(source: storage, bytes: bytes)
                cache[key] = entry
                if cache.values.reduce(0, { $0 + $1.bytes }) > kernelCacheBytes {
                    cache = cache.filter { $0.value.source != nil }
                    if cache.values.reduce(0, { $0 + $1.bytes }) > kernelCacheBytes { cache = [key: entry] }
                }
            }
            if entry.version != storage.version {
                guard prepare(kernel.pointer, entry.pointer) == 0 else { return nil }
                entry.version = storage.version
            }
            return entry
        }
    }

    // MARK: - Backward (training)

    final class Backward: @unchecked Sendable {
        let handle: OpaquePointer
        let weightBytes: Int, diffWeightBytes: Int
        /// Whether its weights pass is oneDNN's Winograd convolution.
        let winograd: Bool
        /// Bytes of x and dy in the blocked layout a Winograd weights pass reads.
        let blockedBytes: (x: Int, dy: Int)
        init(_ handle: OpaquePointer) {
            self.handle = handle
            weightBytes = kd_conv_bwd_weights_bytes(handle)
            diffWeightBytes = kd_conv_bwd_diff_weights_bytes(handle)
            winograd = kd_conv_bwd_is_winograd(handle) != 0
            blockedBytes = (kd_conv_bwd_blocked_bytes(handle, 0), kd_conv_bwd_blocked_bytes(handle, 1))
        }
        deinit { kd_conv_bwd_destroy(handle) }
    }

    private static let backwards = Mutex<[Key: Backward?]>([:])

    /// The backward primitives for a convolution of this geometry and batch (cached), made with
    /// the Winograd weights pass when ``winogradWeightGradient`` is on and oneDNN can; nil when
    /// oneDNN cannot make them.
    static func backward(_ g: ConvGeometry, batch n: Int, hasBias: Bool) -> Backward? {
        let key = Key(geometry: g, batch: n, bias: hasBias, post: .none, winograd: winogradWeightGradient)
        if let cached = backwards.withLock({ $0[key] }) { return cached }
        var shape = convShape(g, batch: n)
        let made = kd_conv_bwd_create(&shape, hasBias ? 1 : 0, key.winograd ? 1 : 0).map(Backward.init)
        backwards.withLock { cache in
            if cache.count >= 1024 { cache.removeAll() }
            cache[key] = made
        }
        return made
    }

    /// The gradients of `conv2d` by oneDNN's backward-data and backward-weights primitives,
    /// for `dy` (already masked by a fused ReLU): (dx, dK, dbias) as asked, or nil when
    /// oneDNN cannot make them (the caller runs its own).
    static func conv2dBackward(_ x: Tensor, _ kernel: Tensor, hasBias: Bool, dy: Tensor, geometry g: ConvGeometry,
                               batch n: Int, wantX: Bool, wantWeights: Bool) -> (Tensor?, Tensor?, Tensor?)? {
        guard backwardApplies(g), let bwd = backward(g, batch: n, hasBias: hasBias) else { return nil }
        var gx: Tensor?, gk: Tensor?, gb: Tensor?
        if wantX {
            guard let w = weights(kernel, owner: bwd, bytes: bwd.weightBytes, prepare: { kd_conv_bwd_prepare_weights(bwd.handle, $0, $1) })
            else { return nil }
            var t = Tensor(uninitializedShape: x.shape)
            let status = withExtendedLifetime((w, dy)) { kd_conv_bwd_data(bwd.handle, dy.pointer, UnsafeRawPointer(w.pointer), t.freshPointer) }
            guard status == 0 else { return nil }
            gx = t
        }
        if wantWeights {
            let scratch = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(bwd.diffWeightBytes, 64), alignment: 64)
            defer { scratch.deallocate() }
            var k = Tensor(uninitializedShape: kernel.shape)
            var b = hasBias ? Tensor(uninitializedShape: [g.outC]) : nil
            // A Winograd pass reads x and dy in oneDNN's blocked layout, reordered into these
            // (page-aligned tensors from the engine's buffer pool, reused step after step).
            var bx = bwd.winograd ? Tensor(uninitializedShape: [(bwd.blockedBytes.x + 3) / 4]) : nil
            var bdy = bwd.winograd ? Tensor(uninitializedShape: [(bwd.blockedBytes.dy + 3) / 4]) : nil
            let (px, pdy) = (bx?.freshPointer, bdy?.freshPointer)
            let status = withExtendedLifetime((x, dy, bx, bdy)) {
                kd_conv_bwd_weights(bwd.handle, x.pointer, dy.pointer, scratch, px, pdy, k.freshPointer, b?.freshPointer)
            }
            guard status == 0 else { return nil }
            (gk, gb) = (k, b)
        }
        return (gx, gk, gb)
    }

    /// Whether `conv2dBackward` is tried for a convolution of this geometry.
    static func backwardApplies(_ g: ConvGeometry) -> Bool {
        enabled && backwardMinimumChannels > 0 && g.inC >= backwardMinimumChannels
    }

    static func convShape(_ g: ConvGeometry, batch n: Int) -> kd_conv_shape {
        kd_conv_shape(n: Int32(n), ih: Int32(g.inH), iw: Int32(g.inW), ic: Int32(g.inC),
                      oh: Int32(g.outH), ow: Int32(g.outW), oc: Int32(g.outC), kh: Int32(g.kh), kw: Int32(g.kw),
                      sh: Int32(g.sh), sw: Int32(g.sw), dh: Int32(g.dh), dw: Int32(g.dw),
                      pad_top: Int32(g.padTop), pad_left: Int32(g.padLeft), groups: Int32(g.groups))
    }
}
