import FuzzSupport

/// Spec YAML → parse → build → compile, as `validate` does it (stand-in weights: an
/// orthogonal initializer on a large matrix is legitimately slow, which is not the
/// reader's business), plus the summary table.
@_cdecl("FuzzSpec_main")
func main(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    fuzzMain(argc, argv) { data, size in
        let input = bytes(data, size)
        do {
            let spec = try Spec.parse(text: String(decoding: input, as: UTF8.self), file: "fuzz.yaml")
            let model = try WeightAllocation.withoutValues { try ModelBuilder.build(spec) }
            try CompileBuilder.compile(model, spec: spec, requireLoss: false)
            _ = model.summary()
        } catch { expectOneLine(error) }
        return 0
    }
}
