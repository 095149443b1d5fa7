#!/usr/bin/env bash
# Runs the libFuzzer harnesses: `Fuzz/run.sh SECONDS [NAME...]` (names: spec keras_json idx
# csv zip weights modeldir; default all). Each harness starts from its committed seed
# corpus (Fuzz/corpus/NAME) plus what earlier runs found (Fuzz/.build/corpus/NAME, not
# committed), first replays its regression inputs (Fuzz/regressions/NAME), then fuzzes
# for SECONDS. A crash, hang (over 30 s on one input) or blow-up (over 2 GB) stops it and
# leaves the input in Fuzz/artifacts/NAME/; the script then exits non-zero.
# Logs: Fuzz/.build/logs/NAME.log (the last line of stats is printed here).
set -uo pipefail
cd "$(dirname "$0")"
seconds=${1:-60}
shift || true
all=(spec keras_json idx csv zip weights modeldir)
names=("$@")
[ ${#names[@]} -eq 0 ] && names=("${all[@]}")
target() {
  case $1 in
    spec) echo FuzzSpec ;; keras_json) echo FuzzKerasJSON ;; idx) echo FuzzIDX ;; csv) echo FuzzCSV ;;
    zip) echo FuzzZip ;; weights) echo FuzzWeights ;; modeldir) echo FuzzModelDir ;;
    *) echo "unknown harness '$1' (known: ${all[*]})" >&2; exit 2 ;;
  esac
}
if [ -z "${FUZZ_NO_BUILD:-}" ]; then
  swift build -c debug -Xswiftc -sanitize=fuzzer,address 2>&1 | grep -Ev "Cannot export local symbol|^\[" || true
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:symbolize=0:handle_abort=1}
# The Swift runtime's backtracer itself trips ASan; libFuzzer prints the stack instead.
export SWIFT_BACKTRACE=enable=no
failed=0
passed_count=0
failed_count=0
for name in "${names[@]}"; do
  bin=.build/debug/$(target "$name")
  [ -x "$bin" ] || { echo "fuzz: $bin was not built" >&2; exit 1; }
  mkdir -p ".build/corpus/$name" "artifacts/$name" .build/logs
  log=.build/logs/$name.log
  if [ -d "regressions/$name" ] && [ -n "$(ls -A "regressions/$name")" ]; then
    if ! "$bin" -timeout=30 -rss_limit_mb=2048 regressions/"$name"/* > "$log.regressions" 2>&1; then
      echo "fuzz $name: a regression input fails again (see $log.regressions)"; failed=1
      failed_count=$((failed_count + 1)); continue
    fi
  fi
  "$bin" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 -detect_leaks=0 -print_final_stats=1 \
    -artifact_prefix="artifacts/$name/" ".build/corpus/$name" "corpus/$name" > "$log" 2>&1
  rc=$?
  stats=$(grep -E "^#[0-9]+.*(DONE|cov:)" "$log" | tail -1)
  runs=$(grep -E "stat::number_of_executed_units" "$log" | awk '{print $2}')
  echo "fuzz $name: ${seconds}s, ${runs:-?} executions, ${stats:-no stats}"
  if [ $rc -ne 0 ]; then
    echo "fuzz $name: FAILED (exit $rc); input in Fuzz/artifacts/$name/, log $log"
    grep -E "ERROR|Fatal error|SUMMARY|Test unit written" "$log" | head -5
    failed=1
    failed_count=$((failed_count + 1))
  else
    passed_count=$((passed_count + 1))
  fi
done
echo "fuzz: $passed_count passed, $failed_count failed"
exit $failed
