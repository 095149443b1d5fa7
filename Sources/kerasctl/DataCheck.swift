import KerasBuilder
import KerasData
import KerasEngine
import KerasSpec

/// Checks the data files a spec names without loading them whole: IDX headers (and
/// their size against the file), CSV headers and the first rows.
enum DataCheck {
    /// The per-example input shapes the model will see, read from file headers.
    static func inputShapes(_ spec: Spec, data: DataSpec, inputNames: [String]) throws -> [[Int]]? {
        if data.preprocess.featureSpace != nil {
            // The widths come from the adapted vocabularies: adapt on the training rows.
            return try DataLoader.load(spec, inputNames: inputNames, outputNames: ModelNames(spec).outputs, needTrain: true,
                                       needTest: false).inputShapes
        }
        var shapes: [[Int]]?
        for source in [data.train, data.test, spec.fit.validation].compactMap({ $0 }) {
            let s = try shapesOf(source)
            if shapes == nil { shapes = s }
        }
        if let r = data.preprocess.reshape, let s = shapes, s.count == 1 {
            // Both products overflow-checked: the reshape comes from the spec.
            let n = ShapeArithmetic.count(s[0]), m = ShapeArithmetic.count(r)
            guard let n, let m, n == m else {
                let values = m.map(String.init) ?? "more than 2^63"
                throw (data.preprocess.node ?? data.node).error("reshape \(r) has \(values) values, but each example has \(n.map(String.init) ?? "more than 2^63")", path: "data.preprocess.reshape")
            }
            return [r]
        }
        return shapes
    }

    private static func shapesOf(_ source: SourceSpec) throws -> [[Int]] {
        switch source.format {
        case let .idx(idx):
            for p in idx.y.map(paths) ?? [] { _ = try exampleShape(p) }
            return try paths(idx.x).map(exampleShape)
        case let .csv(csv):
            let ds = try CSVReader.read(csv.path.resolved, options: CSVOptions(header: csv.header, delimiter: csv.delimiter,
                target: targetColumns(csv.target), features: csv.features?.map(column)))
            return [ds.x.exampleShape]
        }
    }

    /// One example's shape from an IDX header, or from the first row of a numeric CSV table.
    private static func exampleShape(_ p: DataPath) throws -> [Int] {
        let lower = p.resolved.lowercased()
        guard lower.hasSuffix(".csv") || lower.hasSuffix(".csv.gz") else { return try IDXReader.readHeader(p.resolved).exampleShape }
        var reader = try CSVBatchReader(path: p.resolved)
        return try reader.next(maxRows: 1)?.exampleShape ?? []
    }

    private static func paths(_ p: PathOrMap) -> [DataPath] {
        switch p { case let .single(d): [d]; case let .byName(n): n.map(\.value) }
    }
    private static func column(_ c: ColumnRef) -> CSVColumn {
        switch c { case let .name(n): .name(n); case let .index(i): .index(i) }
    }
    private static func targetColumns(_ t: ColumnSelection?) -> [CSVColumn] {
        switch t {
        case nil: []
        case let .single(c)?: [column(c)]
        case let .list(cs)?: cs.map(column)
        case let .byOutput(n)?: n.flatMap { $0.value.map(column) }
        }
    }
}
