import ArgumentParser
import Foundation
import KerasBuilder
import KerasData
import KerasEngine
import KerasInterop
import KerasMPI
import KerasSpec
import KerasTensorBoard

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train the model a spec describes.",
        discussion: """
        Started by an MPI launcher (mpirun -np N kerasctl train SPEC -o DIR), trains data-parallel \
        over N processes: the batch size is the global batch, a multiple of N; rank 0 prints and \
        writes. See docs/DISTRIBUTED.md.
        """)

    @Argument(help: "The model spec (YAML); optional with --resume (the directory's stored spec).") var spec: String?
    @Option(name: [.short, .customLong("output")], help: "Write the trained model directory here (a checkpoint after every epoch).") var output: String?
    @Option(help: "Override fit.epochs.") var epochs: Int?
    @Option(name: .customLong("batch-size"), help: "Override fit.batch_size.") var batchSize: Int?
    @Option(help: "Override the spec's seed.") var seed: UInt64?
    @Option(help: "Continue the run saved in this model directory (writes back to it unless -o is given).") var resume: String?
    @Option(name: .customLong("init-weights"), help: "Start from the weights of this .keras/.h5 file or model directory (layers matched by name).") var initWeights: String?
    @Option(name: .customLong("metrics-out"), help: "Write one JSON line per epoch (and the test metrics) here.") var metricsOut: String?
    @Flag(help: "Print nothing but errors.") var quiet = false

    func validate() throws {
        if let epochs, epochs <= 0 { throw Failure.usage("--epochs must be a positive integer, got \(epochs)") }
        if let batchSize, batchSize <= 0 { throw Failure.usage("--batch-size must be a positive integer, got \(batchSize)") }
        if initWeights != nil, resume != nil { throw Failure.usage("--init-weights and --resume cannot be used together") }
    }

    func run() throws {
        // Under an MPI launcher (mpirun), data-parallel; otherwise MPI is never touched.
        guard MPIWorld.launched else { return try execute(prepare(mpi: nil), mpi: nil) }
        let mpi = try MPIRun()
        let run = try mpi.agree { try prepare(mpi: mpi) }
        try mpi.training { try execute(run, mpi: mpi) }
    }

    /// What `prepare` sets up for `execute`.
    struct Prepared {
        var model: Model
        var data: LoadedData
        var train: LoadedSplit
        var options: FitOptions
        var callbacks: [any Callback]
        var specCallbacks: [any Callback]
        var checkpoints: CheckpointWriter?
        var metricsWriter: MetricsWriter?
        var interrupt: InterruptWatcher?
        var batchSize: Int
        var quiet: Bool
    }

    /// Everything before training: spec, data, model, resume, output directory. Under MPI
    /// every rank does it (rank 0 alone creates files), then the ranks agree to go on.
    func prepare(mpi: MPIRun?) throws -> Prepared {
        let root = mpi?.isRoot ?? true
        let quiet = self.quiet || !root
        if let problem = mpi?.world.bucketProblem { throw Failure.usage(problem) }
        guard self.spec != nil || resume != nil else { throw Failure.usage("Missing expected argument '<spec>' (or give --resume MODEL_DIR)") }
        if let output { try OutputCheck.folder(output, flag: "-o folder") }
        if let metricsOut { try OutputCheck.file(metricsOut, flag: "--metrics-out file") }
        let resumed = try resume.map { try ModelStore($0).load() }
        if let resumed, resumed.manifest.completed == true, epochs == nil {
            let m = resumed.manifest
            throw Failure.usage("the run in '\(resume ?? "")' already finished after \(m.epochsCompleted) of \(m.epochsPlanned) epochs; give --epochs N (N > \(m.epochsCompleted)) to train it further")
        }
        let spec = try self.spec.map { try Spec.load(path: $0) } ?? resumed!.spec
        let specPath = self.spec.map(absolute) ?? resumed!.manifest.specPath
        let seed = self.seed ?? resumed?.state.seed ?? spec.seed ?? 0
        let names = ModelNames(spec)
        let data = try DataLoader.load(spec, inputNames: names.inputs, outputNames: names.outputs, needTrain: true,
                                       needTest: spec.data?.test != nil || spec.data?.testSplit != nil,
                                       preprocessing: resumed?.preprocessing, seed: seed)
        let model = try ModelBuilder.build(spec, inputShapes: resumed?.manifest.inputShapes ?? data.inputShapes, seed: seed)
        try BudgetCheck.batch(self.batchSize ?? resumed?.manifest.batchSize ?? spec.fit.batchSize, model: model, training: true,
                              source: self.batchSize != nil ? "--batch-size" : "\(spec.file): fit.batch_size")
        guard let train = data.train else { throw Failure.data("no training data") }
        try CompileBuilder.compile(model, spec: spec, requireLoss: true, targetShapes: train.targets.map(\.exampleShape))
        for split in [data.train, data.validation, data.test].compactMap({ $0 }) { try LabelCheck.check(split, model: model) }
        if let initWeights {
            if ModelStore.isModelDirectory(initWeights) {
                try KerasFile.copyWeights(from: ModelStore(initWeights).loadModel().model, to: model, file: initWeights)
            } else {
                try KerasFile.initializeWeights(of: model, from: initWeights)
            }
        }

        let epochs = self.epochs ?? resumed?.manifest.epochsPlanned ?? spec.fit.epochs
        let batchSize = self.batchSize ?? resumed?.manifest.batchSize ?? spec.fit.batchSize
        if let mpi, batchSize % mpi.world.size != 0 {
            let n = mpi.world.size
            throw Failure.usage("\(self.batchSize != nil ? "--batch-size" : "\(spec.file): fit.batch_size") \(batchSize) is the global batch of \(n) MPI processes and must be a multiple of \(n) (e.g. \(Swift.max(n, batchSize / n * n)) or \((batchSize / n + 1) * n))")
        }
        let batches = (train.count + batchSize - 1) / batchSize
        let outDir = output ?? resume
        let store = root ? outDir.map(ModelStore.init) : nil
        var specCallbacks = try CallbackRegistry.makeAll(spec.fit.callbacks, context: .init(folder: spec.folder) { model, path, _, _ in
            try model.saveWeights(to: path)
        }, model: model)
        // Under MPI, files are rank 0's: the other ranks keep only the callbacks that decide.
        if !root { specCallbacks.removeAll { $0 is CSVLogger || $0 is ModelCheckpoint || $0 is TensorBoard } }
        var initialEpoch = 0
        var history: [ModelStore.HistoryEntry] = []
        if let resumed {
            try model.loadWeights(resumed.model.weightsDictionary)
            try resumed.state.restore(into: model, slotTensors: resumed.optimizerSlots, callbacks: specCallbacks)
            for case let e as EarlyStopping in specCallbacks where e.config.restoreBestWeights {
                e.bestWeights = resumed.bestWeights[e.stateKey]
            }
            initialEpoch = resumed.state.epochsCompleted
            history = resumed.history
            guard initialEpoch < epochs else {
                throw Failure.usage("the run in '\(resume ?? "")' already completed \(initialEpoch) of \(epochs) epochs; give a larger --epochs to continue")
            }
        }

        for case let c as CSVLogger in specCallbacks { try OutputCheck.file(c.config.filename, flag: "CSVLogger filename") }
        for case let c as TensorBoard in specCallbacks {
            try OutputCheck.folder(c.config.logDir, flag: "TensorBoard log_dir")
            // write_graph: the model's Keras JSON (model.to_json()) for TensorBoard's graph
            // dashboard; a model that cannot be written as Keras JSON gets none, as in Keras.
            if c.config.writeGraph, let config = try? KerasExport.modelConfig(model: model, spec: spec.model, name: model.name),
               let json = try? JSONSerialization.data(withJSONObject: config, options: [.sortedKeys]) {
                c.modelJSON = String(decoding: json, as: UTF8.self)
            }
        }
        var callbacks: [any Callback] = []
        var checkpoints: CheckpointWriter?
        // Under MPI no live bar: its per-batch metrics would be rank 0's alone (the epoch lines are global).
        if !quiet { callbacks.append(mpi == nil ? ProgressPrinter(epochs: epochs, batches: batches) : ProgressPrinter(epochs: epochs, batches: batches, live: false)) }
        callbacks += specCallbacks
        let metricsWriter = try root ? metricsOut.map { try MetricsWriter(path: $0, append: resumed != nil) } : nil
        if let metricsWriter { callbacks.append(metricsWriter) }
        if let store {
            let specText = try self.spec.map { try String(contentsOfFile: $0, encoding: .utf8) }
                ?? String(contentsOfFile: ModelStore(resume!).path("spec.yaml"), encoding: .utf8)
            try store.create(specText: specText)
            try store.writeResolved(ResolvedRun.describe(spec: spec, model: model, epochs: epochs, batchSize: batchSize, seed: seed))
            let manifest = ModelStore.Manifest(name: model.name, specPath: specPath, inputShapes: model.inputShapes,
                                               seed: seed, checkpoint: "", epochsCompleted: initialEpoch, epochsPlanned: epochs,
                                               batchSize: batchSize)
            checkpoints = CheckpointWriter(store: store, manifest: manifest, preprocessing: data.preprocessing,
                                              seed: seed, history: history, callbacks: specCallbacks)
            callbacks.append(checkpoints!)
        }
        var interrupt: InterruptWatcher?
        if root {
            InterruptWatcher.saved = resumed != nil && outDir == resume
            interrupt = InterruptWatcher(directory: outDir)
            callbacks.append(interrupt!)
        }

        var options = FitOptions(epochs: epochs, batchSize: batchSize, shuffle: spec.fit.shuffle, initialEpoch: initialEpoch, seed: seed)
        options.parallel = mpi?.world
        if let mpi, !quiet {
            print("Data-parallel over \(mpi.world.size) MPI processes: global batch \(batchSize) = \(mpi.world.size) × \(batchSize / mpi.world.size)")
        }
        return Prepared(model: model, data: data, train: train, options: options, callbacks: callbacks, specCallbacks: specCallbacks,
                        checkpoints: checkpoints, metricsWriter: metricsWriter, interrupt: interrupt, batchSize: batchSize, quiet: quiet)
    }

    /// Training, the final checkpoint and the test evaluation.
    func execute(_ run: Prepared, mpi: MPIRun?) throws {
        let (model, data, batchSize, quiet) = (run.model, run.data, run.batchSize, run.quiet)
        let stats = MPIStats(mpi)
        try model.fit(data.dataset(run.train), validation: data.validation.map(data.dataset), options: run.options, callbacks: run.callbacks)
        stats?.report(steps: (run.options.epochs - run.options.initialEpoch) * ((run.train.count + batchSize - 1) / batchSize), model: model)
        if let nan = run.specCallbacks.compactMap({ $0 as? TerminateOnNaN }).first, let fired = nan.fired {
            var f = Failure.runtime("TerminateOnNaN stopped training: loss \(fired.loss) at epoch \(fired.epoch + 1)")
            f.everyRank = true
            throw f
        }
        try run.checkpoints?.finish(model: model)
        run.interrupt?.exitIfInterrupted()

        if let test = data.test {
            let start = Date()
            let logs = try model.evaluate(data.dataset(test), batchSize: batchSize, parallel: run.options.parallel)
            if !quiet {
                let steps = (test.count + batchSize - 1) / batchSize
                let secs = Date().timeIntervalSince(start)
                print("Test: \(ProgressPrinter.counter(steps, steps)) - \(ProgressPrinter.seconds(secs)) \(ProgressPrinter.perStep(secs / Double(Swift.max(steps, 1))))\(ProgressPrinter.values(logs))")
            }
            try run.metricsWriter?.writeTest(logs)
        }
    }
}

func absolute(_ path: String) -> String {
    path.hasPrefix("/") ? path : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path)
}

/// The model's input and output names as the spec declares them (one unnamed input and
/// output for a sequential model).
struct ModelNames {
    var inputs: [String]
    var outputs: [String]
    init(_ spec: Spec) {
        switch spec.model {
        case let .functional(f):
            inputs = f.inputs.enumerated().map { $0.element.name ?? "input_\($0.offset)" }
            outputs = f.outputs
        default:
            inputs = ["input"]; outputs = ["output"]
        }
    }
}
