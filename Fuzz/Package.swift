// swift-tools-version:6.0
// libFuzzer harnesses for kerasctl's readers of untrusted bytes. Built only with
// `-sanitize=fuzzer,address` (see `make fuzz` in the parent Makefile); each harness is an
// executable whose entry point hands its test function to libFuzzer's driver.
import PackageDescription

let harness: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"])]
let names = ["FuzzSpec", "FuzzKerasJSON", "FuzzIDX", "FuzzCSV", "FuzzZip", "FuzzWeights", "FuzzModelDir"]

let package = Package(
    name: "kerasctl-fuzz",
    dependencies: [.package(name: "kerasctl", path: "..")],
    targets: [
        .target(name: "FuzzSupport", dependencies: [
            .product(name: "KerasSpec", package: "kerasctl"), .product(name: "KerasEngine", package: "kerasctl"),
            .product(name: "KerasData", package: "kerasctl"), .product(name: "KerasBuilder", package: "kerasctl"),
            .product(name: "KerasInterop", package: "kerasctl"),
        ]),
    ] + names.map { .executableTarget(name: $0, dependencies: ["FuzzSupport"], swiftSettings: harness) }
)
