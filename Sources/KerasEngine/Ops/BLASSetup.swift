import CBLAS
#if canImport(Glibc)
import Glibc
#endif

/// The OpenBLAS kernel family this process should run with, when it is not the one
/// OpenBLAS picked: "SKYLAKEX" on an AVX-512 CPU that OpenBLAS took for Haswell or Zen.
///
/// OpenBLAS 0.3.21 (Debian 12) does not know AMD Zen 4/5, so it runs its AVX2 (Haswell)
/// kernels there although the CPU has AVX-512; its SkylakeX kernels make the CNN
/// benchmark's convolutions ~40% faster. OpenBLAS chooses its kernels when it is loaded,
/// from `OPENBLAS_CORETYPE`, so a program applies the answer by setting that variable and
/// re-executing itself (kerasctl does, at start-up). Nil when `OPENBLAS_CORETYPE` is
/// already set, when the kernels in use are fine, or when the CPU lacks AVX-512 F/DQ/BW/VL.
public func preferredBLASCoreType() -> String? {
    guard getenv("OPENBLAS_CORETYPE") == nil, let name = openblas_get_corename() else { return nil }
    let core = String(cString: name).lowercased()
    guard core == "haswell" || core == "zen" else { return nil }
    guard let flags = cpuFlags(), ["avx512f", "avx512dq", "avx512bw", "avx512vl"].allSatisfy(flags.contains) else { return nil }
    return "SKYLAKEX"
}

/// The `flags` of the first processor in /proc/cpuinfo; nil when unreadable.
func cpuFlags() -> Set<Substring>? {
    guard let f = fopen("/proc/cpuinfo", "r") else { return nil }
    defer { fclose(f) }
    var line: UnsafeMutablePointer<CChar>?
    var cap = 0
    defer { free(line) }
    while getline(&line, &cap, f) > 0, let l = line {
        let text = String(cString: l)
        if text.hasPrefix("flags") {
            return Set(text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == ":" }))
        }
    }
    return nil
}
