import KerasBuilder
import KerasData
import KerasEngine

/// Class-index targets must name one of the model's classes: a label outside
/// [0, classes) is a data error naming the file and the example.
enum LabelCheck {
    static func check(_ split: LoadedSplit, model: Model) throws {
        for (i, y) in split.targets.enumerated() where i < model.losses.count {
            guard let loss = model.losses[i], loss.name.hasPrefix("sparse_categorical") else { continue }
            let classes = model.outputShapes[i].last ?? 1
            for r in 0..<y.count * y.exampleSize {
                let v = y.float(at: r)
                if v != v.rounded() || v < 0 || Int(v) >= classes {
                    let file = split.targetFiles.indices.contains(i) ? split.targetFiles[i] : "targets"
                    throw DataError(file: file, line: nil, column: nil,
                                    "example \(r + 1) has label \(v.formatted()), outside the model's \(classes) classes (0...\(classes - 1))")
                }
            }
        }
    }
}

private extension Float {
    func formatted() -> String { self == rounded() && Swift.abs(self) < 1e9 ? String(Int(self)) : String(self) }
}
