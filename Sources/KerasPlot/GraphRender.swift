import Foundation
#if canImport(Glibc)
import Glibc
#endif
import CGraphviz

/// A graph written in Graphviz's DOT language, laid out by `dot` and rendered to PNG or SVG
/// by libgvc (the library behind the `dot` program), in memory.
public enum GraphRender {
    public static func render(dot text: String, format: PictureFormat) throws -> [UInt8] {
        // Graphviz prints what goes wrong on stderr; at AGMAX it prints nothing and keeps the
        // last error for aglasterr, which the thrown error carries (kerasctl's one line).
        agseterr(AGMAX)
        guard let gvc = gvContext() else { throw PlotError("Graphviz could not start (gvContext)") }
        defer { gvFreeContext(gvc) }
        guard let graph = text.withCString({ agmemread($0) }) else { throw PlotError("Graphviz could not read the graph: \(lastError())") }
        defer { agclose(graph) }
        guard gvLayout(gvc, graph, "dot") == 0 else { throw PlotError("Graphviz could not lay out the graph: \(lastError())") }
        defer { gvFreeLayout(gvc, graph) }
        var data: UnsafeMutablePointer<CChar>?
        var length: UInt32 = 0
        // "png" is rendered by the cairo plugin; "svg" by the core plugin.
        guard gvRenderData(gvc, graph, format == .png ? "png:cairo" : "svg", &data, &length) == 0, let data else {
            throw PlotError("Graphviz could not render \(format.rawValue) (is the graphviz cairo plugin, libgvc6, installed?): \(lastError())")
        }
        defer { gvFreeRenderData(data) }
        return data.withMemoryRebound(to: UInt8.self, capacity: Int(length)) { Array(UnsafeBufferPointer(start: $0, count: Int(length))) }
    }

    private static func lastError() -> String {
        guard let e = aglasterr() else { return "no detail" }
        defer { free(e) }
        return String(cString: e).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `s` as a DOT double-quoted string.
    public static func quoted(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n") + "\""
    }

    /// `s` escaped for a Graphviz HTML-like label.
    public static func html(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
