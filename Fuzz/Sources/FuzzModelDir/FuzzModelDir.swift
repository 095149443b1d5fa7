import FuzzSupport
import Foundation

/// A model directory as `train -o` writes it. The input holds four files separated by
/// `\n--8<--\n` lines: model.json, spec.yaml, ckpt-000001/weights.safetensors and
/// ckpt-000001/preprocessing.json.
@_cdecl("FuzzModelDir_main")
func main(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    fuzzMain(argc, argv) { data, size in
        let parts = split(bytes(data, size), parts: 4)
        let dir = "\(scratch)/model"
        try? FileManager.default.createDirectory(atPath: "\(dir)/ckpt-000001", withIntermediateDirectories: true)
        let names = ["model.json", "spec.yaml", "ckpt-000001/weights.safetensors", "ckpt-000001/preprocessing.json"]
        for (name, part) in zip(names, parts) {
            FileManager.default.createFile(atPath: "\(dir)/\(name)", contents: Data(part))
        }
        do { _ = try ModelStore(dir).loadModel() } catch { expectOneLine(error) }
        do { _ = try Safetensors.decode(parts[2], path: "fuzz.safetensors") } catch { expectOneLine(error) }
        return 0
    }
}
