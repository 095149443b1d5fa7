/// A whole kerasctl spec file, typed: SPEC.md's `name`, `seed`, `data`, `model`,
/// `compile` and `fit`.
///
///     let spec = try Spec.load(path: "specs/cnn.yaml")
///
/// Only `model` is required; `compile` and `fit` default to Keras's defaults. Every typed
/// piece keeps its ``Node`` (and so its ``Mark``), so later errors stay located.
public struct Spec: Sendable {
    /// The top-level keys, in the order SPEC.md lists them.
    public static let topLevelKeys = ["name", "seed", "data", "model", "compile", "fit"]

    /// The spec file as the user named it.
    public let file: String
    /// The folder relative paths resolve against (empty: the current directory).
    public let folder: String
    /// The model's name: `name`, or the file's stem.
    public let name: String
    /// The one seed for initialisers, shuffling, dropout and splits, when given.
    public let seed: UInt64?
    /// Where examples come from, when given.
    public let data: DataSpec?
    /// The network.
    public let model: ModelSpec
    /// The `model` node.
    public let modelNode: Node
    /// Optimizer, loss, metrics.
    public let compile: CompileSpec
    /// Epochs, batch size, validation, callbacks.
    public let fit: FitSpec
    /// The document's root node.
    public let root: Node

    /// Reads and checks the spec at `path`. A missing or unreadable file, bad YAML or a bad
    /// spec throws one located ``SpecError``.
    public static func load(path: String, limits: YAMLLimits = .standard) throws(SpecError) -> Spec {
        try Spec(root: YAML.load(path: path, limits: limits), file: path)
    }

    /// Parses spec text; `file` names it in errors and anchors relative paths.
    public static func parse(text: String, file: String, limits: YAMLLimits = .standard) throws(SpecError) -> Spec {
        try Spec(root: YAML.parse(text: text, file: file, limits: limits), file: file)
    }

    /// Types an already loaded document.
    public init(root: Node, file: String) throws(SpecError) {
        let args = try ArgReader(section: root, path: "")
        for key in Spec.topLevelKeys { args.markUsed(key) }
        try args.finish()

        self.root = root
        self.file = file
        self.folder = Spec.folder(of: file)
        let folder = self.folder

        guard let modelNode = root["model"], !modelNode.isNull else {
            throw SpecError("missing required key 'model' (the network: input_shape and layers)", at: root.mark)
        }
        self.modelNode = modelNode
        model = try ModelSpec(node: modelNode, folder: folder)
        name = try args.string("name") ?? Spec.stem(of: file)
        seed = try args.nonNegativeInt("seed").map { UInt64($0) }
        if let dataNode = root["data"], !dataNode.isNull {
            data = try DataSpec(node: dataNode, folder: folder)
        } else {
            data = nil
        }
        if let compileNode = root["compile"], !compileNode.isNull {
            compile = try CompileSpec(node: compileNode, outputs: model.outputNames)
        } else {
            compile = CompileSpec(defaultsAt: root.mark)
        }
        if let fitNode = root["fit"], !fitNode.isNull {
            fit = try FitSpec(node: fitNode, folder: folder)
        } else {
            fit = FitSpec()
        }
    }

    /// Resolves a path written in this spec against its folder.
    public func resolve(_ path: String) -> String {
        KerasSpec.resolve(path, in: folder)
    }

    /// The folder part of `file` (`specs/cnn.yaml` → `specs`), empty when there is none.
    static func folder(of file: String) -> String {
        guard let slash = file.lastIndex(of: "/") else { return "" }
        if slash == file.startIndex { return "/" }
        return String(file[..<slash])
    }

    /// The file name without folder and extension (`specs/cnn.yaml` → `cnn`).
    static func stem(of file: String) -> String {
        let base = file.split(separator: "/").last.map(String.init) ?? file
        guard let dot = base.lastIndex(of: "."), dot != base.startIndex else { return base }
        return String(base[..<dot])
    }
}
