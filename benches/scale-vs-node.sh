#!/usr/bin/env bash
# Side by side: `sockets-tour scale --clients N` against the official stack
# (Socket.IO 4.8.4 server + socket.io-client 4.8.4 clients in one Node
# process, websocket transport, 64 connects in flight, one io.emit to all:
# tests/reference/scale.mjs), for each N. Each cell is the median of RUNS
# runs (default 3), the two stacks taking turns so that a busy machine
# slows both alike. Peak is each process's own VmHWM at the end, once
# every client and the server have closed (the whole process: both ends
# of every connection).
#
#   benches/scale-vs-node.sh                 # N = 1000 5000 9000
#   RUNS=5 benches/scale-vs-node.sh 2000     # other sizes, more runs
#   TOUR=path/to/sockets-tour benches/scale-vs-node.sh   # another build
#
# Needs: a release build (cargo build --release), Node.js 18+ and
# `npm ci` in tests/reference, and a hard RLIMIT_NOFILE above 2 N + 100.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tour=${TOUR:-$root/target/release/sockets-tour}
runs=${RUNS:-3}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 5000 9000)

[ -x "$tour" ] || { echo "no $tour: run cargo build --release first" >&2; exit 2; }
[ -d "$root/tests/reference/node_modules/socket.io" ] ||
  { echo "run npm ci in tests/reference first" >&2; exit 2; }
ulimit -n "$(ulimit -Hn)"

# One run of each stack: prints "connect S broadcast S peak MIB".
ours() {
  "$tour" scale --clients "$1" | awk '
    $1 == "connect" { c = $2 } $1 == "broadcast" { b = $2 } $1 == "peak" { p = $3 }
    END { print "connect", c, "broadcast", b, "peak", p }'
}
node_official() { (cd "$root/tests/reference" && node scale.mjs "$1"); }

# The median of the numbers on standard input.
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

printf '%-8s %-42s %10s %12s %13s %8s\n' clients stack "connect s" "broadcast s" "peak RSS MiB" "(MB)"
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
for n in "${sizes[@]}"; do
  : >"$results/ours" && : >"$results/node"
  for _ in $(seq "$runs"); do
    ours "$n" >>"$results/ours"
    node_official "$n" >>"$results/node"
  done
  for stack in node ours; do
    f=$results/$stack
    label="sockets-tour scale (Rust)"
    [ "$stack" = node ] && label="official Socket.IO 4.8.4 (Node $(node --version))"
    peak=$(awk '{ print $6 }' "$f" | median)
    printf '%-8s %-42s %10s %12s %13s %8s\n' "$n" "$label" \
      "$(awk '{ print $2 }' "$f" | median)" \
      "$(awk '{ print $4 }' "$f" | median)" \
      "$peak" "$(awk -v m="$peak" 'BEGIN { printf "%.0f", m * 1.048576 }')"
  done
done
