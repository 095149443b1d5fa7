import ArgumentParser

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Evaluate a trained model on test data.")
    @Argument(help: "A model directory.") var model: String
    func run() throws { throw Failure.usage("evaluate needs a model directory, which train does not write yet") }
}
