import Foundation
import KerasEngine

/// Prints Keras's per-epoch lines (`Epoch 3/20`, then
/// `469/469 - 2s 5ms/step - accuracy: 0.8841 - loss: 0.3190 - ...`), with a live bar
/// rewritten in place only when stdout is a terminal.
final class ProgressPrinter: Callback {
    let epochs: Int
    let batches: Int
    let live: Bool
    private var epochStart = Date()
    private var lastDraw = Date.distantPast

    init(epochs: Int, batches: Int, live: Bool = isatty(1) != 0) { self.epochs = epochs; self.batches = batches; self.live = live }

    func onEpochBegin(_ epoch: Int, model: Model) {
        print("Epoch \(epoch + 1)/\(epochs)")
        fflush(nil)
        epochStart = Date()
    }

    func onBatchEnd(_ batch: Int, of batches: Int, logs: Logs, model: Model) {
        guard live else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) > 0.1 || batch + 1 == batches else { return }
        lastDraw = now
        let width = 20, filled = (batch + 1) * width / Swift.max(batches, 1)
        let bar = String(repeating: "━", count: filled) + String(repeating: "─", count: width - filled)
        let elapsed = now.timeIntervalSince(epochStart)
        let perStep = elapsed / Double(batch + 1)
        let eta = perStep * Double(batches - batch - 1)
        let timing = batch + 1 == batches ? "\(Self.seconds(elapsed)) \(Self.perStep(perStep))" : "\(Self.seconds(eta)) \(Self.perStep(perStep))"
        let line = "\(Self.counter(batch + 1, batches)) \(bar) \(timing)\(Self.values(logs))"
        print("\r" + line + "\u{1B}[K", terminator: "")
        fflush(nil)
    }

    func onEpochEnd(_ epoch: Int, logs: inout Logs, model: Model) throws {
        let elapsed = Date().timeIntervalSince(epochStart)
        if live { print("\r\u{1B}[K", terminator: "") }
        print("\(Self.counter(batches, batches)) - \(Self.seconds(elapsed)) \(Self.perStep(elapsed / Double(Swift.max(batches, 1))))\(Self.values(logs))")
        fflush(nil)
    }

    static func counter(_ i: Int, _ n: Int) -> String {
        let w = String(n).count
        return String(repeating: " ", count: Swift.max(0, w - String(i).count)) + "\(i)/\(n)"
    }

    static func seconds(_ s: Double) -> String { s < 1 ? "\(Int((s * 1000).rounded()))ms" : "\(Int(s.rounded()))s" }
    static func perStep(_ s: Double) -> String { s < 1e-3 ? "\(Int((s * 1e6).rounded()))us/step" : (s < 1 ? "\(Int((s * 1000).rounded()))ms/step" : "\(Int(s.rounded()))s/step") }

    /// ` - key: value` for every log, in Keras's (alphabetical) order.
    static func values(_ logs: Logs) -> String {
        logs.keys.map { " - \($0): \(format(logs[$0] ?? .nan))" }.joined()
    }

    /// Keras's number format: 4 decimals, or scientific notation for tiny magnitudes.
    static func format(_ v: Double) -> String {
        if v.isNaN { return "nan" }
        if v != 0 && Swift.abs(v) < 1e-3 { return String(format: "%.4e", v) }
        return String(format: "%.4f", v)
    }
}
