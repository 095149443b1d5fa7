/// Keras's `naming.to_snake_case`: `Conv2DTranspose` → `conv2d_transpose`, `LSTM` →
/// `lstm`, `GlobalAveragePooling2D` → `global_average_pooling2d`, `ExpandDims` →
/// `expand_dims`. Keras derives automatic layer names, `.keras` weight group names and
/// the `keras.ops` function name of an operation class from it.
public func kerasSnakeCase(_ s: String) -> String {
    let c = Array(s.filter { $0.isLetter || $0.isNumber || $0 == "_" })
    var out = ""
    for (i, ch) in c.enumerated() {
        let startsWord = ch.isUppercase && i > 0 && i + 1 < c.count && c[i + 1].isLowercase
        let afterLower = ch.isUppercase && i > 0 && c[i - 1].isLowercase
        if (startsWord || afterLower) && out.last != "_" { out.append("_") }
        out.append(ch)
    }
    return out.lowercased()
}
