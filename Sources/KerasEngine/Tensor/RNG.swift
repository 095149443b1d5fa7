import KerasKernels

/// The engine's random generator: xoshiro256** seeded through SplitMix64. Deterministic
/// for a given seed on every platform; one seed drives initialisers, shuffling, dropout
/// and splits (each consumer gets its own stream via `fork`).
public struct RNG: RandomNumberGenerator, Sendable, Codable, Equatable {
    // Four words of state as stored properties (an array would cost a bounds and
    // uniqueness check per draw in hot loops such as the noise layers').
    public var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    public init(seed: UInt64) {
        // The first four words of SplitMix64 seeded with `seed` (KerasKernels' one copy).
        s0 = UInt64(kk_splitmix64(seed, 0)); s1 = UInt64(kk_splitmix64(seed, 1))
        s2 = UInt64(kk_splitmix64(seed, 2)); s3 = UInt64(kk_splitmix64(seed, 3))
    }

    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    @inline(__always) private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A new independent generator derived from this one (advances this one).
    public mutating func fork() -> RNG { RNG(seed: next()) }

    /// Uniform in [0, 1).
    @inline(__always)
    public mutating func uniformFloat() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }

    /// Uniform in [0, 1) with double precision.
    @inline(__always)
    public mutating func uniformDouble() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }

    /// Standard normal (Box–Muller).
    public mutating func normal() -> Double {
        var u1 = uniformDouble()
        while u1 <= .leastNonzeroMagnitude { u1 = uniformDouble() }
        let u2 = uniformDouble()
        return (-2 * _log(u1)).squareRoot() * _cos(2 * .pi * u2)
    }

    /// A random permutation of 0..<n (Fisher–Yates).
    public mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        if n > 1 { for i in stride(from: n - 1, to: 0, by: -1) { p.swapAt(i, Int(next() % UInt64(i + 1))) } }
        return p
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) func _log(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) func _cos(_ x: Double) -> Double { Glibc.cos(x) }
#else
import Foundation
@inline(__always) func _log(_ x: Double) -> Double { Foundation.log(x) }
@inline(__always) func _cos(_ x: Double) -> Double { Foundation.cos(x) }
#endif
