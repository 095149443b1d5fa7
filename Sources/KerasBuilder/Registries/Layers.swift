import KerasEngine
import KerasSpec
import KerasText

/// Keras layer class names to makers. Each family of layers adds its entries from its
/// own file (`Layers+Core.swift`, ...); Swift users add their own with `register`, or
/// register with the engine's `CustomLayers` (plain arguments, no spec types): a name
/// that is not in this table is looked up there.
public enum LayerRegistry {
    public static let table = Registry<any Layer>(kind: "layer", core + activation + merge + attention + scoreAttention + transformer + recurrent + convolution + pooling + normalization + preprocessing + reshaping + regularization + applications + ops + models)

    /// Registers a custom layer under `names` so specs can use it. The maker reads the
    /// YAML arguments as built-in layers do:
    ///
    /// ```swift
    /// LayerRegistry.register(["Scale"], mainArgument: "factor") { o in
    ///     let r = try o.reader()               // `Scale: 2` reads as factor: 2
    ///     let factor = try r.double("factor", default: 1)
    ///     try r.finish()                       // unknown keys are errors
    ///     return Scale(factor: Float(factor))
    /// }
    /// ```
    /// `mainArgument` is also what `.keras` export writes a single value as.
    public static func register(_ names: [String], mainArgument: String? = nil, _ make: @escaping Registry<any Layer>.Maker) {
        table.register(names, mainArgument: mainArgument, make)
    }

    /// Removes layers added with `register` (built-ins stay).
    public static func unregister(_ names: [String]) { table.unregister(names) }

    /// Makes the layer `o` names: a built-in (or `register`ed) layer, else one registered
    /// with `CustomLayers`; an unknown name fails with a suggestion among both.
    public static func make(_ o: ObjectSpec) throws -> any Layer {
        if let constant = o.callConstants.first, !o.name.hasPrefix("ops.") {
            throw o.error("inputs: \(o.name) takes tensors only (got the number \(constant.value) at position \(constant.position)); numbers are operands of ops.* operations", at: o.nameNode)
        }
        if let keyword = o.callTensors.first, !attentionLayers.contains(o.name) {
            throw o.error("\(keyword) is a call argument of the attention layers; \(o.name) does not take it", at: o.nameNode)
        }
        if table.contains(o.name) { return try table.make(o) }
        if let maker = CustomLayers.maker(for: o.name) { return try custom(o, maker) }
        if o.name.hasPrefix("ops.") {
            let ops = table.allNames.filter { $0.hasPrefix("ops.") }
            throw o.error(unknownName("unsupported keras.ops operation '\(o.name)'", o.name, among: ops,
                                      otherwise: " (supported: \(ops.joined(separator: ", ")))"), at: o.nameNode)
        }
        throw o.error(unknownName("unknown layer '\(o.name)'", o.name, among: table.allNames + CustomLayers.names,
                                  otherwise: " (known: \((table.canonicalNames + CustomLayers.names).joined(separator: ", ")))"), at: o.nameNode)
    }

    /// Calls a `CustomLayers` maker with the YAML arguments as `ArgValue`s; its errors and
    /// the keys it did not read become located spec errors.
    static func custom(_ o: ObjectSpec, _ maker: CustomLayers.Maker) throws -> any Layer {
        var values: [String: ArgValue] = [:]
        var keyNodes: [String: Node] = [:]
        if let args = o.args {
            guard let entries = args.entries else {
                throw o.error("\(o.name) is a custom layer: give its arguments as a map {name: value}, got \(args.got)", at: args)
            }
            for entry in entries where !o.consumedKeys.contains(entry.name) {
                keyNodes[entry.name] = entry.key
                if let v = try argValue(entry.value, key: entry.name, in: o) { values[entry.name] = v }
            }
        }
        let args = CustomLayerArguments(layerType: o.name, name: o.instanceName ?? kerasSnakeCase(o.name), values: values)
        let layer: any Layer
        do {
            layer = try maker(args)
        } catch let e as CustomLayerError {
            switch e {
            case let .badArgument(_, key, _, _):
                let at = o.args?[key] ?? o.node
                throw o.error(e.description, at: at)
            }
        } catch let e as SpecError {
            throw e
        } catch {
            throw o.error("\(error)")
        }
        if let extra = args.unusedKeys.first(where: { values[$0] != nil }) {
            let asked = args.askedKeys
            throw o.error(unknownName("unknown argument '\(extra)' for \(o.name)", extra, among: asked,
                                      otherwise: asked.isEmpty ? " (it takes no arguments)" : " (expected one of: \(asked.joined(separator: ", ")))"),
                          at: keyNodes[extra] ?? o.node)
        }
        return layer
    }

    /// A YAML value as an `ArgValue`: numbers, booleans, strings and lists of them; `null`
    /// is the same as leaving the key out.
    private static func argValue(_ node: Node, key: String, in o: ObjectSpec) throws -> ArgValue? {
        if let items = node.items {
            return .list(try items.map { item in
                guard let v = try argValue(item, key: key, in: o) else {
                    throw o.error("argument '\(key)': a list may not hold null", at: item)
                }
                return v
            })
        }
        switch node.scalar?.value {
        case .null?: return nil
        case let .bool(b)?: return .bool(b)
        case let .int(i)?: return .int(i)
        case let .float(d)?:
            guard d.isFinite else { throw o.error("argument '\(key)' must be a finite number, got \(node.got)", at: node) }
            return .double(d)
        case let .string(s)?: return .string(s)
        case nil:
            throw o.error("argument '\(key)' must be a number, a boolean, a string or a list of them, got \(node.got)", at: node)
        }
    }
}
