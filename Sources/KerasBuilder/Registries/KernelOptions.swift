import KerasEngine
import KerasSpec

/// The arguments Keras's kernel layers (Dense, ConvND, ConvNDTranspose) share, read in one
/// place: activation, use_bias, kernel/bias initializers and kernel/bias/activity
/// regularizers, with Keras's defaults.
protocol KernelLayerConfig {
    var activation: Activation { get set }
    var useBias: Bool { get set }
    var kernelInitializer: Initializer { get set }
    var biasInitializer: Initializer { get set }
    var kernelRegularizer: (any Regularizer)? { get set }
    var biasRegularizer: (any Regularizer)? { get set }
    var activityRegularizer: (any Regularizer)? { get set }
}

extension Dense.Config: KernelLayerConfig {}
extension Convolution.Config: KernelLayerConfig {}
extension ConvolutionTranspose.Config: KernelLayerConfig {}

extension KernelLayerConfig {
    /// Reads the shared arguments of `r` into this config.
    mutating func readKernelOptions(_ r: ArgReader) throws {
        activation = try ActivationRegistry.read(r)
        useBias = try r.bool("use_bias", default: true)
        kernelInitializer = try InitializerRegistry.read(r, "kernel_initializer", default: .glorotUniform)
        biasInitializer = try InitializerRegistry.read(r, "bias_initializer", default: .zeros)
        kernelRegularizer = try RegularizerRegistry.read(r, "kernel_regularizer")
        biasRegularizer = try RegularizerRegistry.read(r, "bias_regularizer")
        activityRegularizer = try RegularizerRegistry.read(r, "activity_regularizer")
    }
}
