import CBLAS
#if canImport(Glibc)
import Glibc
#endif

/// The BLAS the engine runs on, as OpenBLAS reports it, and the kernel family it should run.
public enum BLASInfo {
    /// OpenBLAS's build configuration (`OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH ... MAX_THREADS=64`).
    public static var configuration: String {
        (openblas_get_config().map { String(cString: $0) } ?? "unknown").trimmingCharacters(in: " ")
    }

    /// The kernel family OpenBLAS chose on this CPU (`Haswell`, `SkylakeX`, `Prescott`, ...);
    /// `OPENBLAS_CORETYPE` overrides its choice.
    public static var kernels: String { openblas_get_corename().map { String(cString: $0) } ?? "unknown" }

    /// The kernel family this process should run with when OpenBLAS fell back to its generic
    /// SSE3 kernels ("Prescott") on a CPU it does not know although the CPU has AVX2 and FMA:
    /// Debian's OpenBLAS 0.3.21 does this on Intel Sapphire/Emerald Rapids (family 6, model
    /// 143/207), where its sgemm then runs at a fraction of the machine's rate. The answer is
    /// "Haswell", the AVX2 family that machines of this kind are also given through
    /// `OPENBLAS_CORETYPE` (its AVX-512 families are not trusted everywhere). Nil when
    /// `OPENBLAS_CORETYPE` is set (the user's choice stands) or the kernels in use are not the
    /// fallback. OpenBLAS reads the variable when it is loaded, so a program applies the
    /// answer by setting it and re-executing itself (kerasctl does, at start-up).
    public static func preferredCoreType() -> String? {
        guard getenv("OPENBLAS_CORETYPE") == nil, kernels.lowercased() == "prescott" else { return nil }
        guard let flags = cpuFlags(), flags.contains("avx2"), flags.contains("fma") else { return nil }
        return "Haswell"
    }

    /// The `flags` of the first processor in /proc/cpuinfo; nil when unreadable.
    static func cpuFlags() -> Set<Substring>? {
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
}

private extension String {
    func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s.removeFirst() }
        while s.last == set { s.removeLast() }
        return String(s)
    }
}
