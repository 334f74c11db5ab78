#!/usr/bin/env bash
# Runs the tile benchmarks of docs/benchmarks.md in one go (release build; loopback only; ~4 minutes).
# usage: bench/run.sh [RESULTS_DIR]   — needs wrk (scripts/setup installs it)
set -euo pipefail
cd "$(dirname "$0")/.."
export RESULTS="${1:-bench-results}"
mkdir -p "$RESULTS"
BENCH=../shared/bench
cargo build --release --bins --examples
bin=target/release/ssepot
wait_port() { for _ in $(seq 200); do curl -s -o /dev/null "http://127.0.0.1:$1/" && return; sleep 0.1; done; }

target/release/examples/fixed_bytes 127.0.0.1:8091 & fixed=$!
wait_port 8091
PIDS=$fixed $BENCH/load.sh 'http://127.0.0.1:8091/tiles/comunas/{z}/{x}/{y}' fixed_20k
kill $fixed

$bin serve layers --addr 127.0.0.1:8092 2>/dev/null & srv=$!
wait_port 8092
PIDS=$srv $BENCH/load.sh 'http://127.0.0.1:8092/tiles/comunas/{z}/{x}/{y}.mvt' ssepot_hot
PIDS=$srv HEADER='Accept-Encoding: gzip' $BENCH/load.sh 'http://127.0.0.1:8092/tiles/comunas/{z}/{x}/{y}.mvt' ssepot_hot_gzip
kill $srv

SSEPOT_TILE_CACHE_MB=0 $bin serve layers --addr 127.0.0.1:8093 2>/dev/null & srv=$!
wait_port 8093
PIDS=$srv $BENCH/load.sh 'http://127.0.0.1:8093/tiles/comunas/{z}/{x}/{y}.mvt' ssepot_nocache
kill $srv

synth=$(mktemp -d)
bench/synthetic.sh "$synth" 100000
start=$(date +%s.%N)
SSEPOT_TILE_CACHE_MB=0 $bin serve "$synth" --addr 127.0.0.1:8094 2>/dev/null & srv=$!
wait_port 8094
echo "synthetic start-up: $(echo "$(date +%s.%N) - $start" | bc) s"
PIDS=$srv $BENCH/load.sh 'http://127.0.0.1:8094/tiles/synth/{z}/{x}/{y}.mvt' ssepot_synth_nocache $BENCH/tiles_z12-15.txt
kill $srv

/usr/bin/time -f "export comunas z0-15: %e s wall, %M KB max RSS" $bin tiles export "$RESULTS/comunas.pmtiles" layers
/usr/bin/time -f "export synth z0-14: %e s wall, %M KB max RSS" $bin tiles export "$RESULTS/synth.pmtiles" "$synth" --max-zoom 14
rm -rf "$synth"
