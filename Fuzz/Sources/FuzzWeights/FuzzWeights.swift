import FuzzSupport
import KerasInterop

/// Keras model files: a `.keras` archive (config.json → model, model.weights.h5 →
/// weights) or a legacy `.h5` (model_config attribute, model_weights groups), read as
/// `kerasctl` reads them, HDF5 through its contained reader.
@_cdecl("FuzzWeights_main")
func main(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    fuzzMain(argc, argv) { data, size in
        let input = bytes(data, size)
        let name = input.starts(with: [0x89, 0x48]) ? "input.h5" : "input.keras"
        let path = scratchFile(name, input)
        do { _ = try KerasFile.load(path: path) } catch { expectOneLine(error) }
        return 0
    }
}
