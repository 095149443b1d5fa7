import KerasBuilder
import KerasEngine
import KerasInterop
import KerasSpec

/// `resolved.json`: what a run actually used, with every compile/fit default filled in.
enum ResolvedRun {
    static func describe(spec: Spec, model: Model, epochs: Int, batchSize: Int, seed: UInt64) -> [String: Any] {
        var compile: [String: Any] = [:]
        if let o = model.optimizer {
            var opt: [String: Any] = ["class_name": o.rule.name, "learning_rate": Double(o.currentLearningRate)]
            if let v = o.clipnorm { opt["clipnorm"] = Double(v) }
            if let v = o.clipvalue { opt["clipvalue"] = Double(v) }
            if let v = o.globalClipnorm { opt["global_clipnorm"] = Double(v) }
            if let v = o.weightDecay { opt["weight_decay"] = Double(v) }
            compile["optimizer"] = opt
        }
        compile["loss"] = model.losses.map { $0?.name ?? "none" }
        compile["loss_weights"] = model.lossWeights.map(Double.init)
        compile["metrics"] = model.metrics.map { $0.map(\.name) }
        let fit: [String: Any] = ["epochs": epochs, "batch_size": batchSize, "shuffle": spec.fit.shuffle,
                                  "validation_split": spec.fit.validationSplit ?? 0, "seed": seed]
        let layers: [[String: Any]] = model.layers.map { ["name": $0.name, "class_name": $0.typeName, "params": $0.parameterCount] }
        var resolved: [String: Any] = ["name": model.name, "compile": compile, "fit": fit, "layers": layers,
                "input_shapes": model.inputShapes, "output_shapes": model.outputShapes,
                "total_params": model.parameterCount, "trainable_params": model.trainableCount]
        // Every layer argument with its default, in Keras 3's own config format.
        if let config = try? KerasExport.modelConfig(model: model, spec: spec.model, name: model.name) {
            resolved["model"] = config
        }
        return resolved
    }
}
