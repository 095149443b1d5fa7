import KerasEngine
import KerasSpec

/// Keras layer class names to makers. Each family of layers adds its entries from its
/// own file (`Layers+Core.swift`, ...); Swift users add their own with `register`.
public enum LayerRegistry {
    nonisolated(unsafe) public static var table = Registry<any Layer>(kind: "layer", core + merge + recurrent)

    /// Registers a custom layer under `names` so specs can use it.
    public static func register(_ names: [String], _ make: @escaping Registry<any Layer>.Maker) {
        table.register(names, make)
    }
}
