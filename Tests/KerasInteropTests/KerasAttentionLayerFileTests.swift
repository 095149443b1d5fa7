import Foundation
import XCTest
import KerasEngine
@testable import KerasInterop

/// Models saved by real Keras 3 with keras_hub's SinePositionEncoding and
/// TransformerDecoder (decoder-only with dropout, then normalize_first with
/// cross-attention) and with EinsumDense, GroupNormalization and UnitNormalization
/// (`Fixtures/keras_graph/gen_attention_layer_models.py`): each predicts as Keras does from
/// `.keras`, legacy `.h5` and JSON + weights, and exports back unchanged — the checks
/// ``KerasAttentionFileTests`` runs, on these files.
final class KerasAttentionLayerFileTests: KerasAttentionFileTests {
    override class var names: [String] { ["hub_decoder", "einsum_norms"] }

    /// Cross-attention exists when the Keras call passed an encoder sequence.
    func testDecoderCrossAttentionFollowsTheCall() throws {
        let loaded = try KerasFile.load(path: KerasModelFixtures.path("hub_decoder.keras"))
        let decoders = loaded.model.layers.compactMap { $0 as? TransformerDecoder }
        XCTAssertEqual(decoders.map(\.parameters.count), [16, 26])
        XCTAssertEqual(decoders.map(\.config.normalizeFirst), [false, true])
    }
}
