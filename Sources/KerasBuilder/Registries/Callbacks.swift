import Foundation
import KerasEngine
import KerasSpec
import KerasTensorBoard
import KerasText

/// Keras callbacks in `fit.callbacks`, with Keras's arguments and defaults. File names
/// (CSVLogger, ModelCheckpoint) resolve against the spec's folder.
public enum CallbackRegistry {
    /// What callbacks need from the command running them.
    public struct Context {
        /// The spec's folder, for relative file names.
        public var folder: String
        /// How ModelCheckpoint saves (the CLI writes a model directory).
        public var save: ModelCheckpoint.Save
        public init(folder: String, save: @escaping ModelCheckpoint.Save) { self.folder = folder; self.save = save }
    }

    public static let names = ["EarlyStopping", "ModelCheckpoint", "ReduceLROnPlateau", "CSVLogger", "TerminateOnNaN", "LearningRateScheduler", "TensorBoard"]

    /// Every callback of `fit.callbacks`, checked against the compiled `model`: a callback
    /// that sets the learning rate (ReduceLROnPlateau, LearningRateScheduler) cannot drive
    /// an optimizer whose learning_rate is a schedule. Keras raises a TypeError when it first
    /// tries (mid-training); here it is a spec error at the callback, before any training.
    public static func makeAll(_ objects: [ObjectSpec], context: Context, model: Model) throws -> [any Callback] {
        try objects.map { o in
            let callback = try make(o, context: context)
            if callback is ReduceLROnPlateau || callback is LearningRateScheduler,
               let lr = model.optimizer?.learningRate, !(lr is ConstantLearningRate) {
                throw o.error("\(o.name) sets the learning rate, but compile.optimizer's learning_rate is a schedule "
                              + "(\(type(of: lr))); give the optimizer a constant learning_rate, or drop the callback")
            }
            return callback
        }
    }

    public static func make(_ o: ObjectSpec, context: Context) throws -> any Callback {
        switch o.name {
        case "EarlyStopping":
            let r = try o.reader(mainArgument: "monitor")
            var c = EarlyStopping.Config()
            c.monitor = try r.string("monitor", default: c.monitor)
            c.minDelta = try r.double("min_delta", default: c.minDelta)
            c.patience = try r.nonNegativeInt("patience", default: c.patience)
            c.verbose = try r.int("verbose", default: c.verbose)
            c.mode = try mode(r)
            c.baseline = try r.double("baseline")
            c.restoreBestWeights = try r.bool("restore_best_weights", default: c.restoreBestWeights)
            c.startFromEpoch = try r.nonNegativeInt("start_from_epoch", default: c.startFromEpoch)
            try r.finish()
            return EarlyStopping(c)
        case "ReduceLROnPlateau":
            let r = try o.reader(mainArgument: "monitor")
            var c = ReduceLROnPlateau.Config()
            c.monitor = try r.string("monitor", default: c.monitor)
            c.factor = try r.double("factor", default: c.factor)
            c.patience = try r.nonNegativeInt("patience", default: c.patience)
            c.verbose = try r.int("verbose", default: c.verbose)
            c.mode = try mode(r)
            c.minDelta = try r.double("min_delta", default: c.minDelta)
            c.cooldown = try r.nonNegativeInt("cooldown", default: c.cooldown)
            c.minLR = try r.double("min_lr", default: c.minLR)
            try r.finish()
            return try located(o) { try ReduceLROnPlateau(c) }
        case "ModelCheckpoint":
            let r = try o.reader(mainArgument: "filepath")
            var c = ModelCheckpoint.Config(filepath: resolve(try r.required("filepath", .string), context.folder))
            c.monitor = try r.string("monitor", default: c.monitor)
            c.verbose = try r.int("verbose", default: c.verbose)
            c.saveBestOnly = try r.bool("save_best_only", default: c.saveBestOnly)
            c.saveWeightsOnly = try r.bool("save_weights_only", default: c.saveWeightsOnly)
            c.mode = try mode(r)
            if let f = r.node("save_freq"), !f.isNull {
                if f.string == "epoch" { r.markUsed("save_freq") } else { c.saveFreq = .batches(try r.required("save_freq", .positiveInt)) }
            }
            c.initialValueThreshold = try r.double("initial_value_threshold")
            try r.finish()
            return try located(o) { try ModelCheckpoint(c, save: context.save) }
        case "CSVLogger":
            let r = try o.reader(mainArgument: "filename")
            let file = resolve(try r.required("filename", .string), context.folder)
            let sep = try r.string("separator", default: ","), append = try r.bool("append", default: false)
            try r.finish()
            return try located(o) { try CSVLogger(filename: file, separator: sep, append: append) }
        case "TerminateOnNaN":
            let r = try o.reader(); try r.finish()
            return TerminateOnNaN()
        case "LearningRateScheduler":
            let r = try o.reader(mainArgument: "schedule")
            let verbose = try r.int("verbose", default: 0)
            if let rates = try r.value("rates", .doubleList) {
                try r.finish()
                return try located(o) { try LearningRateScheduler(rates: rates.map(Float.init), verbose: verbose) }
            }
            guard let s = try r.object("schedule") else { throw r.error("LearningRateScheduler needs 'schedule' (a schedule object evaluated at the epoch index) or 'rates' (one rate per epoch)") }
            let schedule = try ScheduleRegistry.table.make(s)
            try r.finish()
            return LearningRateScheduler(schedule, verbose: verbose)
        case "TensorBoard":
            let r = try o.reader(mainArgument: "log_dir")
            var c = TensorBoard.Config()
            c.logDir = resolve(try r.string("log_dir", default: c.logDir), context.folder)
            c.histogramFreq = try r.nonNegativeInt("histogram_freq", default: c.histogramFreq)
            c.writeGraph = try r.bool("write_graph", default: c.writeGraph)
            c.writeStepsPerSecond = try r.bool("write_steps_per_second", default: c.writeStepsPerSecond)
            if let f = r.node("update_freq"), !f.isNull {
                switch f.string {
                case "epoch": r.markUsed("update_freq")
                case "batch": r.markUsed("update_freq"); c.updateFreq = .batches(1)
                default: c.updateFreq = .batches(try r.required("update_freq", .positiveInt))
                }
            }
            // Keras's other arguments, accepted at their defaults only: kerasctl has no images,
            // profiler or embedding projector to write.
            if try r.bool("write_images", default: false) { throw r.error("TensorBoard's write_images is not supported by kerasctl (weights are written as histograms only)", key: "write_images") }
            for key in ["profile_batch", "embeddings_freq"] {
                if try r.nonNegativeInt(key, default: 0) != 0 {
                    throw r.error("TensorBoard's \(key) is not supported by kerasctl (no profiler or embedding projector); leave it 0", key: key)
                }
            }
            try r.finish()
            return try located(o) { try TensorBoard(c) }
        default:
            throw o.error(unknownName("unknown callback '\(o.name)'", o.name, among: names, otherwise: " (known: \(names.joined(separator: ", ")))"),
                          at: o.nameNode)
        }
    }

    static func mode(_ r: ArgReader) throws -> MonitorMode {
        MonitorMode(rawValue: try r.oneOf("mode", ["auto", "min", "max"], default: "auto")) ?? .auto
    }

    static func resolve(_ file: String, _ folder: String) -> String {
        file.hasPrefix("/") ? file : (folder as NSString).appendingPathComponent(file)
    }
}
