/// Where a node sits in the document, e.g. `model.layers[3].Dense.units`.
///
/// Stored as a shared linked list so that a million nodes do not hold a million arrays.
public struct NodePath: Sendable, Equatable, CustomStringConvertible {
    /// One step of a path: a mapping key or a sequence index (0-based).
    public enum Component: Sendable, Equatable {
        case key(String)
        case index(Int)
    }

    final class Link: Sendable {
        let parent: Link?
        let component: Component
        init(parent: Link?, component: Component) {
            self.parent = parent
            self.component = component
        }
    }

    let link: Link?

    /// The path of the document's root.
    public static let root = NodePath(link: nil)

    /// This path extended by one component.
    public func appending(_ component: Component) -> NodePath {
        NodePath(link: Link(parent: link, component: component))
    }

    /// The path extended by a mapping key.
    public func appending(key: String) -> NodePath { appending(.key(key)) }

    /// The path extended by a sequence index.
    public func appending(index: Int) -> NodePath { appending(.index(index)) }

    /// The components from the root down.
    public var components: [Component] {
        var result: [Component] = []
        var current = link
        while let step = current {
            result.append(step.component)
            current = step.parent
        }
        return result.reversed()
    }

    /// True for the document root.
    public var isRoot: Bool { link == nil }

    /// Dotted form: `model.layers[3]`; the root is the empty string.
    public var description: String {
        var text = ""
        for component in components {
            switch component {
            case .key(let key):
                if !text.isEmpty { text += "." }
                text += key
            case .index(let index):
                text += "[\(index)]"
            }
        }
        return text
    }

    public static func == (lhs: NodePath, rhs: NodePath) -> Bool {
        lhs.components == rhs.components
    }
}
