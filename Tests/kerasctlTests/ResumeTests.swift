import Foundation
import XCTest

/// Checkpoints that last: kill -9 then --resume equals an uninterrupted run; one seed gives
/// one history; Ctrl-C exits 130 leaving a loadable directory.
final class ResumeTests: TempDirTestCase {

    /// A spec whose epochs take long enough to be interrupted mid-way (release: ~0.2 s or more),
    /// with Dropout, EarlyStopping(restore_best_weights) and ReduceLROnPlateau, whose state
    /// must all survive the interruption. EarlyStopping watches val_loss with mode max, so
    /// its best epoch is the first one, before the kill: the resumed run must get the
    /// first epoch's weights back from the checkpoint.
    func slowSpec(epochs: Int) throws -> String {
        let (n, side) = CLI.isRelease ? (6000, 28) : (1200, 12)
        return try Fixtures.idxSpec(in: dir, train: n, test: 100, side: side, classes: 4, hidden: 256, dropout: true, fit: """
        fit:
          epochs: \(epochs)
          batch_size: 32
          validation_split: 0.1
          callbacks:
            - EarlyStopping: {monitor: val_loss, mode: max, patience: 100, restore_best_weights: true}
            - ReduceLROnPlateau: {monitor: val_loss, factor: 0.5, patience: 1}
        """)
    }

    func epochsCompleted(_ d: String) -> Int { Fixtures.manifest(d)?["epochs_completed"] as? Int ?? 0 }

    func testKillNineMidEpochThenResumeEqualsAnUninterruptedRun() throws {
        let epochs = 6
        let spec = try slowSpec(epochs: epochs)
        let whole = dir.appendingPathComponent("whole").path, killed = dir.appendingPathComponent("killed").path
        try Fixtures.train(spec, whole)

        let p = try Fixtures.start(["train", spec, "-o", killed, "--quiet"], logs: dir)
        XCTAssertTrue(Fixtures.wait(timeout: 300) { epochsCompleted(killed) >= 2 || !p.isRunning }, "no checkpoint appeared")
        usleep(20_000)  // into the next epoch
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationReason, .uncaughtSignal)
        let at = epochsCompleted(killed)
        XCTAssertTrue(at >= 2 && at < epochs, "killed after \(at) of \(epochs) epochs")
        XCTAssertNil(Fixtures.manifest(killed)?["completed"])

        let r = try CLI.run(["train", "--resume", killed, "--quiet"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(epochsCompleted(killed), epochs)
        let a = try XCTUnwrap(Fixtures.checkpointFile(whole, "weights.safetensors"))
        let b = try XCTUnwrap(Fixtures.checkpointFile(killed, "weights.safetensors"))
        XCTAssertEqual(a, b, "resumed weights differ from the uninterrupted run's (killed after epoch \(at))")
        XCTAssertEqual(Fixtures.checkpointFile(whole, "history.json"), Fixtures.checkpointFile(killed, "history.json"))
        XCTAssertEqual(Fixtures.checkpointFile(whole, "optimizer.safetensors"), Fixtures.checkpointFile(killed, "optimizer.safetensors"))

        // A finished run does not resume by accident.
        CLI.assertFails(try CLI.run(["train", "--resume", killed]), code: 2, contains: "already finished")
    }

    func testOneSeedGivesOneHistory() throws {
        let spec = try Fixtures.idxSpec(in: dir, dropout: true, fit: "fit: {epochs: 3, batch_size: 16, validation_split: 0.2}")
        var histories: [Data?] = [], metrics: [[String]] = []
        for run in ["a", "b"] {
            let out = dir.appendingPathComponent(run).path, m = dir.appendingPathComponent(run + ".jsonl").path
            try Fixtures.train(spec, out, ["--metrics-out", m])
            histories.append(Fixtures.checkpointFile(out, "history.json"))
            // Every field but the wall-clock seconds.
            metrics.append(try String(contentsOfFile: m, encoding: .utf8).split(separator: "\n").map {
                $0.replacingOccurrences(of: #""seconds": [0-9.e-]+, "#, with: "", options: .regularExpression)
            })
        }
        XCTAssertNotNil(histories[0])
        XCTAssertEqual(histories[0], histories[1])
        XCTAssertEqual(metrics[0].count, 4)  // 3 epochs and the test line
        XCTAssertEqual(metrics[0], metrics[1])
        XCTAssertFalse(metrics[0][0].contains("seconds"), metrics[0][0])
    }

    func testCtrlCExits130AndLeavesALoadableDirectory() throws {
        let spec = try slowSpec(epochs: 200)
        let out = dir.appendingPathComponent("run").path
        let p = try Fixtures.start(["train", spec, "-o", out, "--quiet"], logs: dir)
        XCTAssertTrue(Fixtures.wait(timeout: 300) { epochsCompleted(out) >= 1 || !p.isRunning })
        p.interrupt()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationReason, .exit)
        XCTAssertEqual(p.terminationStatus, 130)
        let err = try String(contentsOf: dir.appendingPathComponent("bg.err"), encoding: .utf8)
        XCTAssertEqual(err.split(separator: "\n").count, 1, err)
        XCTAssertTrue(err.contains("interrupted") && err.contains("--resume \(out)"), err)
        let pr = try CLI.run(["predict", out, "--input", dir.appendingPathComponent("test-x.idx").path])
        XCTAssertEqual(pr.code, 0, pr.stderr)
        XCTAssertEqual(pr.stdout.split(separator: "\n").count, 100)
    }
}
