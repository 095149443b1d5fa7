import Foundation
import KerasBuilder
import KerasData
import KerasEngine
import KerasInterop
import KerasSpec

/// What `predict` and `evaluate` read a trained model from: a model directory, or a Keras
/// `.keras` / legacy `.h5` file (its spec is the translated Keras config, with `compile`
/// from the file's `compile_config` when it has one; its preprocessing the leading
/// Rescaling/Normalization layers `kerasctl export` writes).
///
/// A Keras model JSON (`model.to_json()`) is read with the weights file `model.save_weights()`
/// wrote (`--weights`).
enum ModelSource {
    static func open(_ path: String, weights: String? = nil) throws -> ModelStore.Stored {
        let loaded: LoadedKerasModel
        if let weights {
            guard path.lowercased().hasSuffix(".json") else {
                throw Failure.usage("--weights goes with a Keras model JSON (model.to_json()) as the model, got \(path)")
            }
            loaded = try KerasFile.load(json: path, weights: weights)
        } else if path.lowercased().hasSuffix(".json") {
            throw Failure.usage("\(path): a Keras model JSON holds no weights; give the file model.save_weights() wrote with --weights")
        } else if KerasFile.isKerasFile(path) {
            loaded = try KerasFile.load(path: path)
        } else {
            return try ModelStore(path).loadModel()
        }
        let spec = try loaded.keras.spec(file: path)
        let manifest = ModelStore.Manifest(name: loaded.keras.name, specPath: path, inputShapes: loaded.model.inputShapes,
                                           seed: 0, checkpoint: "", epochsCompleted: 0, epochsPlanned: 0)
        return ModelStore.Stored(manifest: manifest, spec: spec, model: loaded.model,
                                 preprocessing: loaded.preprocessing ?? Preprocessing(), checkpoint: "")
    }

    /// A model's structure without its trained weights, for `summary` and `plot-model`: a
    /// Keras `.keras`/`.h5` file, a model directory, or a spec (built with no weight
    /// allocated; with `data`, the input shapes come from the data's headers).
    static func structure(_ target: String) throws -> Model {
        if KerasFile.isKerasFile(target) { return try KerasFile.load(path: target, weights: false).model }
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: target, isDirectory: &isDir), isDir.boolValue {
            return try ModelStore(target).loadModel(weights: false).model
        }
        let spec = try Spec.load(path: target)
        var shapes: [[Int]]?
        if let data = spec.data { shapes = try DataCheck.inputShapes(spec, data: data, inputNames: ModelNames(spec).inputs) }
        // Shapes and parameter counts only: no weight is allocated (WeightAllocation).
        return try WeightAllocation.withoutValues { try ModelBuilder.build(spec, inputShapes: shapes) }
    }

    /// A saved model for a spec's `Model: {path: ...}` layer (transfer learning): its
    /// weights come with it. Data preprocessing kept beside a model (`data.preprocess`,
    /// or leading Rescaling/Normalization layers taken as such) cannot travel inside a
    /// layer, so such a model is refused rather than silently used without it.
    static func asLayer(_ path: DataPath) throws -> (Model, ModelSpec) {
        let stored = try open(path.resolved)
        let p = stored.preprocessing
        if p.rescale != nil || p.mean != nil || p.std != nil {
            throw path.node.error("\(path.original) carries data preprocessing (rescale/standardize), which a layer cannot hold; train the saved model with Rescaling/Normalization layers in the model instead", path: "model")
        }
        return (stored.model, stored.spec.model)
    }
}
