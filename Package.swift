// swift-tools-version:6.0
import PackageDescription

// -Ounchecked (no overflow or bounds traps) only for the engine's numeric kernels, whose
// sizes are checked before they run (KerasEngine/Budget). Modules that parse bytes from
// files (KerasSpec, KerasData, KerasInterop) keep Swift's checks.
let optimize: [SwiftSetting] = [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]

let package = Package(
    name: "kerasctl",
    products: [
        .executable(name: "kerasctl", targets: ["kerasctl"]),
        .library(name: "KerasEngine", targets: ["KerasEngine"]),
        .library(name: "KerasSpec", targets: ["KerasSpec"]),
        .library(name: "KerasData", targets: ["KerasData"]),
        .library(name: "KerasBuilder", targets: ["KerasBuilder"]),
        .library(name: "KerasInterop", targets: ["KerasInterop"]),
        .library(name: "KerasTensorBoard", targets: ["KerasTensorBoard"]),
        .library(name: "KerasPlot", targets: ["KerasPlot"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        // TensorBoard's Event messages (Sources/KerasTensorBoard/Proto: generated once, committed).
        .package(url: "https://github.com/apple/swift-protobuf", exact: "1.39.0"),
    ],
    targets: [
        // System libraries: a module map and a shim header each, nothing else.
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),
        // FarmHash's Fingerprint64, the hash behind Keras's Hashing, HashedCrossing and lookup OOV buckets.
        .systemLibrary(name: "CFarmHash", providers: [.apt(["libfarmhash-dev"])]),
        // Pictures: cairo draws the curves and the confusion matrix (PNG, SVG); Graphviz lays out
        // and renders the model graph.
        .systemLibrary(name: "CCairo", pkgConfig: "cairo", providers: [.apt(["libcairo2-dev"])]),
        .systemLibrary(name: "CGraphviz", pkgConfig: "libgvc", providers: [.apt(["libgraphviz-dev"])]),
        // oneDNN (Debian libdnnl-dev; the CPU kernels Keras's TensorFlow backend runs on) for
        // convolutions, through a thin C layer over its C API (fixed-size dims arrays and
        // descriptor unions are awkward from Swift). libdnnl ships no pkg-config file.
        .target(name: "KerasDNNL", linkerSettings: [.linkedLibrary("dnnl"), .linkedLibrary("gomp")]),
        // Elementwise kernels compiled once per x86-64 level and picked at load time (Swift's
        // SIMD types build for the baseline only); no FMA contraction, so every version rounds alike.
        .target(name: "KerasKernels", cSettings: [.unsafeFlags(["-O3", "-ffp-contract=off", "-fno-math-errno"])]),

        // The pipeline: YAML -> KerasSpec -> KerasBuilder -> KerasEngine <- KerasData.
        // Text every module shares: "did you mean" suggestions, the unknown-name message, JSON strings.
        .target(name: "KerasText"),
        .target(name: "KerasSpec", dependencies: ["CYAML", "KerasText"]),
        .target(name: "KerasEngine", dependencies: ["CBLAS", "KerasDNNL", "KerasKernels", "KerasText"], swiftSettings: optimize),
        .target(name: "KerasData", dependencies: ["CZlib", "CFarmHash", "KerasText"]),
        // The TensorBoard callback: TFRecord files of TensorBoard Event protocol buffers.
        .target(name: "KerasTensorBoard", dependencies: ["KerasEngine", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
                exclude: ["Proto"]),
        .target(name: "KerasBuilder", dependencies: ["KerasText", "KerasSpec", "KerasEngine", "KerasData", "KerasTensorBoard"]),
        // Pictures: training curves and confusion matrices (cairo), layer graphs (Graphviz).
        .target(name: "KerasPlot", dependencies: ["CCairo", "CGraphviz"]),
        // Keras files: .keras (zip of config.json + model.weights.h5) and legacy .h5.
        .target(name: "KerasInterop", dependencies: ["CZlib", "CHDF5", "KerasText", "KerasSpec", "KerasEngine", "KerasData", "KerasBuilder"]),
        // Data-parallel training: the engine's DataParallel over MPI (Open MPI).
        .target(name: "KerasMPI", dependencies: ["CMPI", "KerasEngine"]),
        .executableTarget(name: "kerasctl", dependencies: [
            "KerasText", "KerasSpec", "KerasEngine", "KerasData", "KerasBuilder", "KerasInterop", "KerasMPI", "KerasPlot", "KerasTensorBoard",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], plugins: ["BuildInfo"]),
        // `kerasctl --version`: the VERSION file and the git commit, generated before each build.
        .plugin(name: "BuildInfo", capability: .buildTool()),

        // Examples of subclassing in Swift.
        .executableTarget(name: "CustomLayerExample", dependencies: ["KerasEngine", "KerasSpec", "KerasBuilder"], path: "Examples/CustomLayer"),

        .testTarget(name: "KerasTextTests", dependencies: ["KerasText"]),
        .testTarget(name: "KerasSpecTests", dependencies: ["KerasSpec"], resources: [.copy("Fixtures")]),
        .testTarget(name: "KerasEngineTests", dependencies: ["KerasEngine", "KerasKernels", "KerasDNNL"], resources: [.copy("Fixtures")]),
        .testTarget(name: "KerasDataTests", dependencies: ["KerasData"], exclude: ["Fixtures"]),
        // Its fixtures are read by path (next to the sources), not as bundle resources.
        .testTarget(name: "KerasBuilderTests", dependencies: ["KerasBuilder"], exclude: ["Fixtures"]),
        .testTarget(name: "KerasInteropTests", dependencies: ["KerasInterop"], resources: [.copy("Fixtures")]),
        // Fixtures are read by path; read_events.py reads the logs back with TensorBoard when it is installed.
        .testTarget(name: "KerasTensorBoardTests", dependencies: ["KerasTensorBoard", "KerasEngine", .product(name: "SwiftProtobuf", package: "swift-protobuf")], exclude: ["Fixtures"]),
        .testTarget(name: "KerasPlotTests", dependencies: ["KerasPlot", "CCairo"]),
        // Its fixtures (feature_space export, with the Keras scripts that made them) are read by path.
        .testTarget(name: "kerasctlTests", dependencies: ["kerasctl", "KerasBuilder", "KerasEngine", "KerasInterop"], exclude: ["Fixtures"]),
        // Timings, not tests: skipped unless KERAS_BENCH=1 (`KERAS_BENCH=1 swift test -c release --filter KerasBenchmarks`).
        .testTarget(name: "KerasBenchmarks", dependencies: ["KerasEngine"]),
    ]
)
