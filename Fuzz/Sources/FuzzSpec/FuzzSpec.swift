import FuzzSupport

/// Spec YAML → parse → build (weights included, within the harness's budget) → compile.
@_cdecl("FuzzSpec_main")
func main(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    fuzzMain(argc, argv) { data, size in
        let input = bytes(data, size)
        do {
            let spec = try Spec.parse(text: String(decoding: input, as: UTF8.self), file: "fuzz.yaml")
            let model = try ModelBuilder.build(spec)
            try CompileBuilder.compile(model, spec: spec, requireLoss: false)
            _ = model.summary()
        } catch { expectOneLine(error) }
        return 0
    }
}
