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

    /// Ctrl-C's handler must never run on a thread that may be inside oneDNN: its JIT sgemm
    /// points rsp into the heap, and a signal frame pushed there corrupted the heap (about one
    /// Ctrl-C in twenty aborted with "corrupted size vs. prev_size"). While training, every
    /// thread but the one named kerasctl-sigint blocks SIGINT, and a handler is installed.
    /// OpenBLAS gets one thread, so no thread exists that kerasctl did not start after `main`.
    func testCtrlCIsTakenOnlyByTheSignalThread() throws {
        let spec = try slowSpec(epochs: 200)
        let out = dir.appendingPathComponent("run").path
        let p = try Fixtures.start(["train", spec, "-o", out, "--quiet"], logs: dir,
                                   environment: ["OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "2", "KERASCTL_THREADS": "2"])
        defer { if p.isRunning { p.terminate() }; p.waitUntilExit() }
        XCTAssertTrue(Fixtures.wait(timeout: 300) { epochsCompleted(out) >= 1 || !p.isRunning })
        XCTAssertTrue(p.isRunning)
        let sigint: UInt64 = 1 << (UInt64(SIGINT) - 1)
        func field(_ status: String, _ name: String) -> UInt64? {
            status.split(separator: "\n").first { $0.hasPrefix(name + ":") }
                .flatMap { UInt64($0.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces), radix: 16) }
        }
        let proc = "/proc/\(p.processIdentifier)"
        let status = try String(contentsOfFile: proc + "/status", encoding: .utf8)
        XCTAssertNotEqual((field(status, "SigCgt") ?? 0) & sigint, 0, "no SIGINT handler installed")
        let tasks = try FileManager.default.contentsOfDirectory(atPath: proc + "/task")
        XCTAssertGreaterThanOrEqual(tasks.count, 3, "main, the signal thread and a worker")
        var takers: [String] = []
        for tid in tasks {
            let name = (try? String(contentsOfFile: "\(proc)/task/\(tid)/comm", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
            guard let s = try? String(contentsOfFile: "\(proc)/task/\(tid)/status", encoding: .utf8),
                  let blocked = field(s, "SigBlk") else { continue }  // the thread ended meanwhile
            if blocked & sigint == 0 { takers.append(name) }
        }
        XCTAssertEqual(takers, ["kerasctl-sigint"])
        p.interrupt()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 130)

        // Outside training Ctrl-C still ends the process by SIGINT: predict, waiting for stdin.
        let predict = Process()
        predict.executableURL = URL(fileURLWithPath: CLI.binary)
        predict.arguments = ["predict", out, "--input", "-"]
        predict.environment = CLI.baseEnvironment
        let input = Pipe()
        predict.standardInput = input
        predict.standardOutput = FileHandle.nullDevice
        predict.standardError = FileHandle.nullDevice
        try predict.run()
        let wchan = "/proc/\(predict.processIdentifier)/wchan"
        XCTAssertTrue(Fixtures.wait(timeout: 60) {  // asleep reading the pipe, after start-up
            ((try? String(contentsOfFile: wchan, encoding: .utf8)) ?? "").contains("pipe_read")
        })
        predict.interrupt()
        predict.waitUntilExit()
        try? input.fileHandleForWriting.close()
        XCTAssertEqual(predict.terminationReason, .uncaughtSignal)
        XCTAssertEqual(predict.terminationStatus, SIGINT)
    }
}
