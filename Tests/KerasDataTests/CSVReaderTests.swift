import Foundation
import Testing
@testable import KerasData

@Suite struct CSVReaderTests {
    func error(_ text: String, name: String, _ options: CSVOptions = CSVOptions(target: ["y"])) -> String? {
        let path = TestFiles.write(text, name: name)
        return TestFiles.error { try CSVReader.read(path, options: options) }?
            .replacingOccurrences(of: path, with: "FILE")
    }

    @Test func quotesCRLFAndTrailingBlankLines() throws {
        let text = "a;\"b;c\";y\r\n1;\"2.5\";\"x \"\"q\"\"\"\r\n\"3\";4;\"multi\r\nline\"\r\n\r\n\n"
        let path = TestFiles.write(text, name: "quotes.csv")
        let data = try CSVReader.read(path, options: CSVOptions(delimiter: ";", target: ["y"]))
        #expect(data.columnNames == ["a", "b;c", "y"])
        #expect(data.featureNames == ["a", "b;c"])
        #expect(data.x.shape == [2, 2] && data.x.floats() == [1, 2.5, 3, 4])
        #expect(data.targets[0].classNames == ["multi\r\nline", "x \"q\""])
        #expect(data.targets[0].values.floats() == [1, 0])
    }

    @Test func stringTargetsAreSortedClasses() throws {
        let path = TestFiles.write("f,y\n1,dog\n2,cat\n3,emu\n4,cat", name: "classes.csv")
        let data = try CSVReader.read(path, options: CSVOptions(target: ["y"]))
        #expect(data.targets[0].classNames == ["cat", "dog", "emu"])
        #expect(data.targets[0].values.floats() == [1, 0, 2, 0])
        let known = try CSVReader.read(path, options: CSVOptions(target: ["y"], classNames: ["y": ["emu", "dog", "cat"]]))
        #expect(known.targets[0].values.floats() == [1, 2, 0, 2])
        #expect(error("f,y\n1,cat\n2,owl\n", name: "owl.csv", CSVOptions(target: ["y"], classNames: ["y": ["cat", "dog"]]))
                == "FILE:3:2 (y): unknown class 'owl'; known classes: cat, dog")
    }

    @Test func numericTargetsAndIndices() throws {
        let path = TestFiles.write("1,2,3\n4,5,6\n", name: "noheader.csv")
        let data = try CSVReader.read(path, options: CSVOptions(header: false, target: [0, 2]))
        #expect(data.x.floats() == [2, 5])
        #expect(data.targets.map(\.name) == ["0", "2"])
        #expect(data.targets[1].values.floats() == [3, 6] && data.targets[1].classNames == nil)
        let detected = try CSVReader.readFeatures(path)
        #expect(detected.shape == [2, 3])
        let named = TestFiles.write("p,q\n1,2\n", name: "named.csv")
        #expect(try CSVReader.readFeatures(named).floats() == [1, 2])
        #expect(try CSVReader.readFeatures(named, features: ["q"]).floats() == [2])
    }

    @Test func readsIris() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let iris = try CSVReader.read(root.appendingPathComponent("datasets/iris.csv").path, options: CSVOptions(target: ["species"]))
        #expect(iris.x.shape == [150, 4])
        #expect(iris.featureNames == ["sepal_length", "sepal_width", "petal_length", "petal_width"])
        #expect(iris.targets[0].classNames == ["setosa", "versicolor", "virginica"])
        // The shipped file is shuffled once (datasets/make_iris.py): first row 5.2,3.5,1.5,0.2,setosa; last versicolor.
        #expect(iris.x.float(row: 0, element: 0) == 5.2 && iris.targets[0].values.float(at: 0) == 0)
        #expect(iris.targets[0].values.float(at: 149) == 1)
        let counts = (0..<150).reduce(into: [0, 0, 0]) { c, i in c[Int(iris.targets[0].values.float(at: i))] += 1 }
        #expect(counts == [50, 50, 50])
    }

    @Test func locatedErrors() {
        #expect(error("a,b,y\n1,2,3\n4,5\n", name: "ragged.csv") == "FILE:3: row has 2 fields, expected 3 as in the header")
        #expect(error("a,y\n1,2\nnan,3\n", name: "nan.csv") == "FILE:3:1 (a): value 'nan' is not a finite number")
        #expect(error("a,y\n1,2\n1e50,3\n", name: "inf.csv") == "FILE:3:1 (a): value '1e50' is not a finite number")
        #expect(error("a,y\n1,2\n3,4\n\"x\",abc\n", name: "abc.csv", CSVOptions(target: ["a"])) == "FILE:4:2 (y): expected a number, got 'abc'")
        #expect(error("a,y\n ,2\n", name: "blank.csv") == "FILE:2:1 (a): empty value, expected a number")
        #expect(error("a,y\n1,2\n\n3,4\n", name: "gap.csv") == "FILE:3: blank line inside the data (only trailing blank lines are ignored)")
        #expect(error("", name: "empty.csv") == "FILE: empty file, expected CSV data")
        #expect(error("\n\n", name: "blanks.csv") == "FILE: empty file, expected CSV data")
        #expect(error("a,y\n", name: "header.csv") == "FILE: no data rows after the header")
        #expect(error("a,y\n1,2\n", name: "unknown.csv", CSVOptions(target: ["Y"])) == "FILE: unknown target column 'Y'; did you mean 'y'?")
        #expect(error("sepal,petal\n1,2\n", name: "far.csv", CSVOptions(target: ["species"])) == "FILE: unknown target column 'species'; the columns are: sepal, petal")
        #expect(error("a,y\n1,2\n", name: "feature.csv", CSVOptions(target: ["y"], features: ["b"])) == "FILE: unknown feature column 'b'; did you mean 'a'?")
        #expect(error("a,y\n1,2\n", name: "index.csv", CSVOptions(target: [5])) == "FILE: target column index 5 is out of range: the file has 2 columns (0-based indices 0...1)")
        #expect(error("a,y\n1,2\n", name: "both.csv", CSVOptions(target: ["y"], features: ["a", "y"])) == "FILE: column 'y' is both a target and a feature")
        #expect(error("a,a\n1,2\n", name: "dup.csv") == "FILE:1:2: duplicate column name 'a' (also column 1)")
        #expect(error("1,2\n3,4\n", name: "byname.csv", CSVOptions(header: false, target: ["y"])) == "FILE: target column 'y' given by name, but the file has no header; use a 0-based index")
        #expect(error("a,y\r\n1,\"x\r\ny\"\r\nz,q\r\n", name: "lines.csv") == "FILE:4:1 (a): expected a number, got 'z'")
        #expect(error("a,y\n1,\"2\n", name: "open.csv") == "FILE:2:2: unterminated quoted field")
        #expect(error("a,y\n1,2\"3\n", name: "stray.csv") == "FILE:2:2: unexpected '\"' inside an unquoted field (quote the whole field and double inner quotes)")
        #expect(error("a,y\n1,\"2\"x\n", name: "after.csv") == "FILE:2:2: unexpected text after a closing quote")
        #expect(error("a,y\n1,2\n", name: "delim.csv", CSVOptions(delimiter: "→", target: ["y"])) == "FILE: delimiter must be a single ASCII character other than a quote or newline, got '→'")
        let dir = TestFiles.directory.path
        #expect(TestFiles.error { try CSVReader.readFeatures(dir) } == "\(dir): is a directory, expected a data file")
    }

    @Test func batchReaderStreams() throws {
        var text = "a,b\n"
        for i in 0..<1000 { text += "\(i),\(i * 2)\n" }
        text += "\n\n"
        for gzip in [false, true] {
            let path = TestFiles.write(text, name: "stream\(gzip ? ".csv.gz" : ".csv")", gzip: gzip)
            let reader = try CSVBatchReader(path: path)
            var rows: [Float] = []
            var batches = 0
            while let batch = try reader.next(maxRows: 300) {
                #expect(batch.count <= 300 && batch.exampleShape == [2])
                rows += batch.floats()
                batches += 1
            }
            #expect(batches == 4 && rows.count == 2000 && rows[1998] == 999 && rows[1999] == 1998)
            #expect(reader.columnNames == ["a", "b"])
        }
        let bad = TestFiles.write("1,2\n3,x\n", name: "streambad.csv")
        let reader = try CSVBatchReader(path: bad, header: false)
        #expect(TestFiles.error { try reader.next(maxRows: 10) as Any } == "\(bad):2:2: expected a number, got 'x'")
        let headerOnly = TestFiles.write("a,b\n", name: "streamheader.csv")
        #expect(TestFiles.error { try CSVBatchReader(path: headerOnly).next(maxRows: 10) as Any } == "\(headerOnly): no data rows after the header")
    }
}
