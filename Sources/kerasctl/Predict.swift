import ArgumentParser

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Predict from a trained model, one line per example.")
    @Argument(help: "A model directory.") var model: String
    func run() throws { throw Failure.usage("predict needs a model directory, which train does not write yet") }
}
