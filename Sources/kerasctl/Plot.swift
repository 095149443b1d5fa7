import ArgumentParser
import Foundation
import KerasBuilder
import KerasInterop
import KerasPlot

/// `kerasctl plot DIR -o curves.png|.svg`: the training curves of a model directory, one
/// panel per quantity (loss first, then each metric and `learning_rate` when logged), the
/// training values and the validation values (`val_*`) against the epoch (1-based, as Keras
/// prints "Epoch 1/N"). Reads the current checkpoint's history, so it also works while
/// `train` is still running (it draws the epochs finished so far).
struct Plot: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Draw a model directory's training curves (loss and metrics per epoch) to a PNG or SVG file.")

    @Argument(help: "A model directory (train -o DIR), also while training runs.") var directory: String
    @Option(name: .shortAndLong, help: "The picture to write: a .png or .svg file.") var output: String

    func run() throws {
        let format = try PictureOutput.check(output, flag: "-o")
        if KerasFile.isKerasFile(directory) {
            throw Failure.usage("\(directory) is a Keras file, which keeps no training history; plot the model directory train -o wrote")
        }
        let store = ModelStore(directory)
        if !ModelStore.isModelDirectory(directory), FileManager.default.fileExists(atPath: store.path("spec.yaml")) {
            throw Failure.data("\(directory): no history yet: training has not finished its first epoch")
        }
        let history = try store.history()
        guard !history.isEmpty else { throw Failure.data("\(directory): no history yet: no epoch has been recorded") }
        let bytes = try PictureOutput.draw { try CurvePlot.render(Self.panels(history), format: format) }
        try PictureOutput.write(bytes, to: output)
    }

    /// One panel per logged quantity: `loss` first, the others in name order; each with a
    /// "train" series and, when `val_<name>` was logged, a "validation" series.
    static func panels(_ history: [ModelStore.HistoryEntry]) -> [CurvePlot.Panel] {
        let keys = Set(history.flatMap(\.logs.keys))
        let names = Set(keys.map { $0.hasPrefix("val_") ? String($0.dropFirst(4)) : $0 })
        let ordered = names.sorted { a, b in a == "loss" ? b != "loss" : (b == "loss" ? false : a < b) }
        let epochs = history.map { Double($0.epoch) }
        return ordered.map { name in
            var series: [CurvePlot.Series] = []
            for (key, label) in [(name, "train"), ("val_" + name, "validation")] where keys.contains(key) {
                series.append(.init(label: label, x: epochs, y: history.map { $0.logs[key] ?? .nan }))
            }
            return CurvePlot.Panel(title: name, series: series)
        }
    }
}
