import KerasBuilder
import KerasData
import KerasInterop

/// What `predict` and `evaluate` read a trained model from: a model directory, or a Keras
/// `.keras` / legacy `.h5` file (its spec is the translated Keras config, with `compile`
/// from the file's `compile_config` when it has one; its preprocessing the leading
/// Rescaling/Normalization layers `kerasctl export` writes).
enum ModelSource {
    static func open(_ path: String) throws -> ModelStore.Stored {
        guard KerasFile.isKerasFile(path) else { return try ModelStore(path).loadModel() }
        let loaded = try KerasFile.load(path: path)
        let spec = try loaded.keras.spec(file: path)
        let manifest = ModelStore.Manifest(name: loaded.keras.name, specPath: path, inputShapes: loaded.model.inputShapes,
                                           seed: 0, checkpoint: "", epochsCompleted: 0, epochsPlanned: 0)
        return ModelStore.Stored(manifest: manifest, spec: spec, model: loaded.model,
                                 preprocessing: loaded.preprocessing ?? Preprocessing(), checkpoint: "")
    }
}
