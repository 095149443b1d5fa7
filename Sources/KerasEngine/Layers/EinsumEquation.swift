/// An EinsumDense equation (`"abc,cde->abde"`) in the three forms Keras accepts —
/// `X,Y->Z`, `...X,Y->...Z` and `X...,Y->Z...` (X at least two letters) — and, for an
/// input shape, the matrix product it is: the input's free axes (in the output, not the
/// kernel: the batch, the time steps) times the kernel's contracted axes (in the input and
/// the kernel) gives the kernel's output axes.
public struct EinsumEquation: Sendable, Equatable {
    public enum Ellipsis: Sendable { case none, left, right }
    public let text: String
    let input: [Character], kernel: [Character], output: [Character]
    let ellipsis: Ellipsis

    /// Parses `text`; the message says what is wrong.
    public init(_ text: String) throws(EinsumError) {
        self.text = text
        let sides = text.components(separatedBy: "->")
        let operands = sides.first.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) } ?? []
        guard sides.count == 2, operands.count == 2 else {
            throw EinsumError("Invalid einsum equation '\(text)'. Equations must be in the form [X],[Y]->[Z], ...[X],[Y]->...[Z], or [X]...,[Y]->[Z]....")
        }
        var (x, w, z) = (operands[0], operands[1], sides[1])
        func letters(_ s: String) -> Bool { !s.isEmpty && s.allSatisfy { $0.isASCII && $0.isLetter } }
        if x.hasPrefix("..."), z.hasPrefix("...") {
            ellipsis = .left; x.removeFirst(3); z.removeFirst(3)
        } else if x.hasSuffix("..."), z.hasSuffix("..."), x.count >= 5 {
            ellipsis = .right; x.removeLast(3); z.removeLast(3)
        } else {
            ellipsis = .none
        }
        guard letters(x), letters(w), letters(z) else {
            throw EinsumError("Invalid einsum equation '\(text)'. Equations must be in the form [X],[Y]->[Z], ...[X],[Y]->...[Z], or [X]...,[Y]->[Z]....")
        }
        (input, kernel, output) = (Array(x), Array(w), Array(z))
        for (what, spec) in [("input", input), ("kernel", kernel), ("output", output)] where Set(spec).count != spec.count {
            throw EinsumError("equation '\(text)': the \(what) spec '\(String(spec))' repeats a letter (a diagonal), which EinsumDense does not support")
        }
        for c in output where !input.contains(c) && !kernel.contains(c) {
            throw EinsumError("Dimension '\(c)' was specified in the output '\(String(output))' but has no corresponding dim in the input spec '\(String(input))' or weight spec '\(String(kernel))'")
        }
        for c in kernel where !input.contains(c) && !output.contains(c) {
            throw EinsumError("Weight dimension '\(c)' did not have a match in either the input spec '\(String(input))' or the output spec '\(String(output))'. For this layer, the weight must be fully specified.")
        }
        for c in input where !output.contains(c) && !kernel.contains(c) {
            throw EinsumError("equation '\(text)': input dimension '\(c)' is in neither the kernel nor the output (a sum over it) — not supported")
        }
        for c in input where output.contains(c) && kernel.contains(c) {
            throw EinsumError("equation '\(text)': dimension '\(c)' is in the input, the kernel and the output (a batched kernel) — not supported")
        }
    }

    /// The axes of one input shape: labels (letters; the ellipsis's axes as their input
    /// position) for the input and the output, with the batch first.
    public struct Plan: Sendable, Equatable {
        public let kernelShape: [Int]
        public let biasShape: [Int]?
        /// The output shape without the batch.
        public let outputShape: [Int]
        /// Input permutation to [free..., contracted...]; kernel permutation to
        /// [contracted..., out...]; then the product's axes [free..., out...] permuted to the output's.
        let inputPermutation: [Int], kernelPermutation: [Int], productPermutation: [Int]
        /// Element counts of the contracted and produced (kernel output) axes; axis counts
        /// of the free and produced axes.
        let contracted: Int, produced: Int, freeAxes: Int, producedAxes: Int
    }

    enum Label: Hashable { case letter(Character), elided(Int) }

    /// The plan for an input of `inputShape` (without the batch), Keras's partial
    /// `outputShape` (nil entries taken from the input) and `biasAxes`.
    public func plan(inputShape: [Int], outputShape partial: [Int?], biasAxes: String?) throws(EinsumError) -> Plan {
        let rank = inputShape.count + 1
        let elided = rank - input.count
        guard elided >= 0, ellipsis != .none || elided == 0 else {
            throw EinsumError("equation '\(text)' has \(input.count) input axes but the input has \(rank) (with the batch): \(kerasShape(inputShape))")
        }
        let full = [-1] + inputShape
        var inLabels = input.map(Label.letter), outLabels = output.map(Label.letter)
        var outShape: [Int?] = [-1]
        switch ellipsis {
        case .left:
            let lead = (0..<elided).map(Label.elided)
            inLabels = lead + inLabels; outLabels = lead + outLabels
            outShape += full[1..<Swift.max(1, elided)].map { $0 } + partial
        case .right:
            let tail = ((rank - elided)..<rank).map(Label.elided)
            inLabels += tail; outLabels += tail
            outShape += partial + full[(rank - elided)...].map { $0 }
        case .none:
            outShape += partial
        }
        guard outShape.count == outLabels.count else {
            throw EinsumError("output_shape \(describe(partial)) has \(partial.count) axes; equation '\(text)' needs \(outLabels.count - outShape.count + partial.count) for this input \(kerasShape(inputShape))")
        }
        guard outLabels[0] == inLabels[0] else {
            throw EinsumError("equation '\(text)': the output must keep the input's first (batch) axis first")
        }
        guard !kernel.contains(where: { Label.letter($0) == inLabels[0] }) else {
            throw EinsumError("equation '\(text)': the batch axis '\(input.first.map(String.init) ?? "...")' cannot be contracted with the kernel")
        }
        var size: [Label: Int] = [:]
        for (l, d) in zip(inLabels, full) { size[l] = d }
        for (i, l) in outLabels.enumerated() where i > 0 {
            if let have = size[l] {
                if let want = outShape[i], want != have {
                    throw EinsumError("Input shape and output shape do not match at shared dimension '\(name(l))'. Input shape is \(have), and output shape is \(want).")
                }
            } else {
                guard let want = outShape[i], want > 0 else {
                    throw EinsumError("output_shape \(describe(partial)) must give a positive size for '\(name(l))', which only the kernel and the output have")
                }
                size[l] = want
            }
        }
        let kernelLabels = kernel.map(Label.letter)
        let kernelShape = kernelLabels.map { size[$0] ?? 0 }
        let free = inLabels.filter { outLabels.contains($0) }
        let contractedLabels = kernelLabels.filter { inLabels.contains($0) }
        let produced = kernelLabels.filter { !inLabels.contains($0) }
        let product = free + produced
        var bias: [Int]?
        if let biasAxes {
            guard !biasAxes.isEmpty else { throw EinsumError("bias_axes must name output axes (or be None), got ''") }
            for c in biasAxes where !output.contains(c) || Label.letter(c) == outLabels[0] {
                throw EinsumError("Bias dimension '\(c)' was requested, but is not part of the output spec '\(String(output))'\(output.contains(c) ? " other than the batch axis" : "")")
            }
            let at = output.firstIndex { biasAxes.contains($0) } ?? output.count
            bias = output[at...].map { biasAxes.contains($0) ? (size[.letter($0)] ?? 1) : 1 }
                + Array(repeating: 1, count: ellipsis == .left ? 0 : elided)
        }
        let finalShape = outLabels.dropFirst().map { size[$0] ?? 0 }
        return Plan(kernelShape: kernelShape, biasShape: bias, outputShape: finalShape,
                    inputPermutation: (free + contractedLabels).compactMap { inLabels.firstIndex(of: $0) },
                    kernelPermutation: (contractedLabels + produced).compactMap { kernelLabels.firstIndex(of: $0) },
                    productPermutation: outLabels.compactMap { product.firstIndex(of: $0) },
                    contracted: contractedLabels.reduce(1) { $0 * (size[$1] ?? 1) },
                    produced: produced.reduce(1) { $0 * (size[$1] ?? 1) }, freeAxes: free.count, producedAxes: produced.count)
    }

    private func name(_ l: Label) -> String {
        if case let .letter(c) = l { return String(c) }
        return "..."
    }

    private func describe(_ shape: [Int?]) -> String { "(" + shape.map { $0.map(String.init) ?? "None" }.joined(separator: ", ") + ")" }
}

/// Why an EinsumDense equation, output_shape or bias_axes does not fit.
public struct EinsumError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ message: String) { description = message }
}
