import ArgumentParser
import Foundation
import KerasBuilder
import KerasEngine
import KerasInterop
import KerasSpec

struct Summary: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the Keras model.summary() table of a spec or model directory.")

    @Argument(help: "A model spec (YAML), a model directory, or a Keras .keras/.h5 file.") var target: String

    func run() throws {
        print(try ModelSource.structure(target).summary())
    }
}

extension Int {
    /// 669706 → "669,706", as Keras prints counts.
    func formatted() -> String {
        let s = String(Swift.abs(self))
        var out = ""
        for (i, c) in s.enumerated() { if i > 0 && (s.count - i) % 3 == 0 { out.append(",") }; out.append(c) }
        return (self < 0 ? "-" : "") + out
    }
}
