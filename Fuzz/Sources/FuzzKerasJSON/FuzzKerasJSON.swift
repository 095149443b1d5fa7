import FuzzSupport

/// Keras model JSON (`model.to_json()`, a `.keras` config.json) → translate → build with
/// stand-in weights (as `summary` of a Keras file does) → summary table.
@_cdecl("FuzzKerasJSON_main")
func main(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    fuzzMain(argc, argv) { data, size in
        do {
            let keras = try KerasJSON.parse(bytes: bytes(data, size), file: "fuzz.json")
            let model = try WeightAllocation.withoutValues { try ModelBuilder.build(keras) }
            _ = model.summary()
        } catch { expectOneLine(error) }
        return 0
    }
}
