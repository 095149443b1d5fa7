#!/usr/bin/env bash
# A run that really crosses a network: two "hosts" on this machine as network namespaces
# (kt-h1 10.77.0.1, kt-h2 10.77.0.2) joined by a veth pair, nothing else routed. mpirun runs
# in kt-h1 and starts rank 1 in kt-h2 through netns-agent.sh (as ssh would on a cluster);
# MPI's control and data traffic go over TCP on the veth only. The 2-host run must train
# as one process on the same global batch (losses to 1e-5). Needs root (ip netns).
# Usage: mpi/two-hosts.sh [KERASCTL_BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then echo "mpi/two-hosts.sh: needs root (ip netns); not run" >&2; exit 0; fi
BIN=$(realpath "${1:-.build/release/kerasctl}")
WORK=$(mktemp -d /tmp/kerasctl-two-hosts.XXXXXX)
remove_hosts() { ip netns del kt-h1 2>/dev/null || true; ip netns del kt-h2 2>/dev/null || true; }
trap 'remove_hosts; rm -rf "$WORK"' EXIT
remove_hosts  # left over from an interrupted run

ip netns add kt-h1
ip netns add kt-h2
ip link add kt-veth1 type veth peer name kt-veth2
ip link set kt-veth1 netns kt-h1
ip link set kt-veth2 netns kt-h2
ip -n kt-h1 addr add 10.77.0.1/24 dev kt-veth1
ip -n kt-h2 addr add 10.77.0.2/24 dev kt-veth2
for h in kt-h1 kt-h2; do ip -n $h link set lo up; done
ip -n kt-h1 link set kt-veth1 up
ip -n kt-h2 link set kt-veth2 up
ip -n kt-h1 route get 10.77.0.2 >/dev/null

sed "s#datasets/iris.csv#$PWD/datasets/iris.csv#" mpi/iris-mpi.yaml > "$WORK/iris.yaml"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
"$BIN" train "$WORK/iris.yaml" --quiet --metrics-out "$WORK/one.jsonl"
# The hosts are named by address; the agent maps each to its namespace.
printf '10.77.0.1 slots=1\n10.77.0.2 slots=1\n' > "$WORK/hosts"
cat > "$WORK/agent" <<AGENT
#!/bin/sh
host=\$1; shift
case \$host in 10.77.0.1) ns=kt-h1 ;; 10.77.0.2) ns=kt-h2 ;; *) echo "unknown host \$host" >&2; exit 1 ;; esac
exec "$PWD/mpi/netns-agent.sh" \$ns "\$@"
AGENT
chmod +x "$WORK/agent"
mpirun_h1() {
  ip netns exec kt-h1 unshare --uts /bin/sh -c "hostname kt-h1; exec mpirun --hostfile $WORK/hosts -np 2 \
    --mca plm_rsh_agent $WORK/agent --mca btl self,tcp \
    --mca btl_tcp_if_include 10.77.0.0/24 --mca oob_tcp_if_include 10.77.0.0/24 \
    -x OPENBLAS_NUM_THREADS -x PATH $*"
}
# One rank on each host.
hosts=$(mpirun_h1 hostname | sort | tr '\n' ' ')
[ "$hosts" = "kt-h1 kt-h2 " ] || { echo "ranks ran on '$hosts', expected kt-h1 and kt-h2" >&2; exit 1; }
rx() { ip -n kt-h2 -s link show kt-veth2 | awk '/RX:/ { getline; print $1 }'; }
before=$(rx)
mpirun_h1 "$BIN" train "$WORK/iris.yaml" --metrics-out "$WORK/two.jsonl" -o "$WORK/model"
echo "kt-h2 received $(( $(rx) - before )) bytes over the veth during training"
# Same epochs, same losses and accuracies to 1e-5.
paste -d'\n' "$WORK/one.jsonl" "$WORK/two.jsonl" | awk '
  { gsub(/[{}" ]/, ""); n = split($0, kv, ","); delete v; for (i = 1; i <= n; i++) { split(kv[i], p, ":"); v[p[1]] = p[2] } }
  NR % 2 == 1 { for (k in v) a[k] = v[k]; next }
  { for (k in v) if (k != "seconds" && (v[k] - a[k] > 1e-5 || a[k] - v[k] > 1e-5)) { print "two hosts differ from one process at epoch " v["epoch"] ": " k " " a[k] " vs " v[k]; bad = 1 } }
  END { if (NR == 0 || NR % 2) { print "metrics missing"; exit 1 } exit bad }'
echo "two hosts (network namespaces over a veth pair) trained as one process: $(wc -l < "$WORK/two.jsonl") epochs match to 1e-5"
