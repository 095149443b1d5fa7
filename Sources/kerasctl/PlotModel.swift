import ArgumentParser
import KerasEngine
import KerasPlot

/// `kerasctl plot-model SPEC|DIR|FILE.keras -o model.png|.svg`: the layer graph as Keras's
/// `keras.utils.plot_model(model, show_shapes=True, show_layer_names=True)` draws it — one
/// box per layer with its name and class on a dark band and its input and output shapes
/// below, an arrow from each layer to each layer reading it (branches and merges show as
/// such), a nested model as one box — laid out by Graphviz's `dot`.
struct PlotModel: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plot-model",
        abstract: "Draw a model's layer graph (like keras.utils.plot_model) to a PNG or SVG file.")

    @Argument(help: "A model spec (YAML), a model directory, or a Keras .keras/.h5 file.") var target: String
    @Option(name: .shortAndLong, help: "The picture to write: a .png or .svg file.") var output: String
    @Option(help: "Graph direction, as plot_model's rankdir: TB (top to bottom) or LR (left to right).") var rankdir = "TB"
    @Option(help: "Dots per inch of a PNG (plot_model's default 200).") var dpi = 200

    func validate() throws {
        guard ["TB", "LR"].contains(rankdir) else { throw Failure.usage("--rankdir must be TB or LR, got '\(rankdir)'") }
        guard (24...600).contains(dpi) else { throw Failure.usage("--dpi must be between 24 and 600, got \(dpi)") }
    }

    func run() throws {
        let format = try PictureOutput.check(output, flag: "-o")
        let model = try ModelSource.structure(target)
        let text = Self.dot(model.layerGraph(), name: model.name, rankdir: rankdir, dpi: dpi)
        try PictureOutput.write(try PictureOutput.draw { try GraphRender.render(dot: text, format: format) }, to: output)
    }

    /// The graph in DOT, nodes styled as Keras 3's `model_to_dot` makes them.
    static func dot(_ g: LayerGraph, name: String, rankdir: String, dpi: Int) -> String {
        var lines = ["digraph \(GraphRender.quoted(name)) {",
                     "  graph [rankdir=\(rankdir), dpi=\(dpi), bgcolor=white, pad=0.2];",
                     "  node [shape=plain, fontname=\"DejaVu Sans\", fontsize=12];",
                     "  edge [arrowsize=0.8, color=\"#333333\"];"]
        for (i, n) in g.nodes.enumerated() {
            let title = "<b>\(GraphRender.html(n.name))</b> (\(GraphRender.html(n.typeName)))"
            let shapes = "<tr><td bgcolor=\"white\">Input shape: \(GraphRender.html(LayerGraph.shapeText(n.inputShapes)))</td>"
                + "<td bgcolor=\"white\">Output shape: \(GraphRender.html(LayerGraph.shapeText(n.outputShapes)))</td></tr>"
            lines.append("  n\(i) [label=<<table border=\"0\" cellborder=\"1\" cellspacing=\"0\" cellpadding=\"8\" bgcolor=\"black\">"
                         + "<tr><td colspan=\"2\" bgcolor=\"black\"><font color=\"white\">\(title)</font></td></tr>\(shapes)</table>>];")
        }
        for e in g.edges { lines.append("  n\(e.from) -> n\(e.to);") }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }
}
