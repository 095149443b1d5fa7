#!/usr/bin/env bash
# The scaling model of docs/DISTRIBUTED.md: ring allreduce of BYTES over N machines at
# BANDWIDTH costs 2(N-1)/N x BYTES / BANDWIDTH (+ 2(N-1) latencies), against a step's
# compute COMPUTE_MS (per rank, its batch fixed: the global batch grows with N). Prints, per
# network and N, the allreduce time and the efficiency compute / step without overlap, and
# with the allreduce overlapped with the backward pass (BACKWARD share of compute).
# Usage: bench/mpi-scaling.sh NAME BYTES COMPUTE_MS [BACKWARD=0.67] [LATENCY_US=20]
set -euo pipefail
name=$1 bytes=$2 compute=$3 backward=${4:-0.67} latency=${5:-20}
awk -v name="$name" -v bytes="$bytes" -v c="$compute" -v bw="$backward" -v lat="$latency" 'BEGIN {
  printf "%s: %.2f MB per step, compute %.2f ms/step per rank (backward %.0f%%)\n", name, bytes / 1e6, c, 100 * bw
  printf "| N | %s |\n", "10 Gbit/s: allreduce ms, efficiency, overlapped | 25 Gbit/s | 100 Gbit/s"
  split("2 4 8 16 32 64", ns, " ")
  for (i = 1; i <= 6; i++) {
    n = ns[i]; line = sprintf("| %d |", n)
    split("10 25 100", gs, " ")
    for (j = 1; j <= 3; j++) {
      t = 2 * (n - 1) / n * bytes * 8 / (gs[j] * 1e9) * 1000 + 2 * (n - 1) * lat / 1000
      plain = c / (c + t)
      # Overlapped: the allreduce hides behind the backward pass; only what exceeds it shows.
      over = c / (c + (t > c * bw ? t - c * bw : 0))
      line = line sprintf(" %.2f ms, %.0f%%, %.0f%% |", t, 100 * plain, 100 * over)
    }
    print line
  }
}'
