#!/usr/bin/env bash
# Runs the benchmarks of docs/benchmarks.md in one go, ssepot side by side with Martin + PostGIS when they are
# installed (../shared/bench/peers/setup.sh 100000 1000000; optional, never in CI). Release build; loopback only.
# usage: bench/run.sh [RESULTS_DIR]   — needs wrk (scripts/setup installs it); ~20 minutes with the peers
# env:   PEERS (default /tmp/ssepot-peers), SIZES (default "100000 1000000"), DURATION (default 20),
#        SYNTH_DIR (where the synthetic layers folders are kept between runs; default RESULTS_DIR)
set -euo pipefail
cd "$(dirname "$0")/.."
export RESULTS="${1:-bench-results}"
mkdir -p "$RESULTS"
BENCH=../shared/bench
PEERS="${PEERS:-/tmp/ssepot-peers}"
SIZES="${SIZES:-100000 1000000}"
MARTIN="$PEERS/martin/bin/martin"
DB=postgres://perf:perf@127.0.0.1/perf
cargo build --release --bins --examples
bin=target/release/ssepot
log() { echo "$*" | tee -a "$RESULTS/summary.txt"; }
# The machine may be shared: its load goes with the figures.
log "run of $(git rev-parse --short HEAD) at $(date -u +%FT%TZ); load: $(uptime)"
# Waits for a port to answer (up to 10 minutes: the million-polygon set loads for a while).
wait_port() { for _ in $(seq 6000); do curl -s -o /dev/null "http://127.0.0.1:$1/" && return; sleep 0.1; done; }
rss() { awk '/^VmRSS/{printf "%d MB", $2/1024}' "/proc/$1/status"; }
have_martin() { [[ -x $MARTIN ]] && pg_isready -h 127.0.0.1 -q; }

target/release/examples/fixed_bytes 127.0.0.1:8091 & fixed=$!
wait_port 8091
PIDS=$fixed $BENCH/load.sh 'http://127.0.0.1:8091/tiles/comunas/{z}/{x}/{y}' fixed_20k
kill $fixed; wait $fixed 2>/dev/null || true
# The same handler through ssepot's connection handling (deadlines, connection limit): what that costs.
target/release/examples/fixed_bytes 127.0.0.1:8091 --ssepot-loop & fixed=$!
wait_port 8091
PIDS=$fixed $BENCH/load.sh 'http://127.0.0.1:8091/tiles/comunas/{z}/{x}/{y}' fixed_20k_ssepot_loop
kill $fixed; wait $fixed 2>/dev/null || true

$bin serve layers --addr 127.0.0.1:8092 --store none 2>/dev/null & srv=$!
wait_port 8092
PIDS=$srv $BENCH/load.sh 'http://127.0.0.1:8092/tiles/comunas/{z}/{x}/{y}.mvt' ssepot_hot
# Each coding from the cache (compressed once per tile, strongly); the check pass records the bytes sent.
for c in gzip br zstd; do
  PIDS=$srv HEADER="Accept-Encoding: $c" $BENCH/load.sh 'http://127.0.0.1:8092/tiles/comunas/{z}/{x}/{y}.mvt' "ssepot_hot_$c"
done
# OGC API Features: the full-resolution comunas (2.2 MB of GeoJSON), streamed, in each coding (compressed per
# request, fast levels).
for c in identity gzip br zstd; do
  PIDS=$srv HEADER="Accept-Encoding: $c" $BENCH/load.sh 'http://127.0.0.1:8092/collections/comunas/items?limit=21' "ssepot_items_$c"
done
log "load after the hot runs: $(uptime)"
kill $srv

SSEPOT_TILE_CACHE_MB=0 $bin serve layers --addr 127.0.0.1:8093 --store none 2>/dev/null & srv=$!
wait_port 8093
PIDS=$srv $BENCH/load.sh 'http://127.0.0.1:8093/tiles/comunas/{z}/{x}/{y}.mvt' ssepot_nocache
kill $srv

if have_martin; then
  $MARTIN -l 127.0.0.1:3000 $DB >/dev/null 2>&1 & m=$!
  wait_port 3000
  PIDS=$m PG=1 $BENCH/load.sh 'http://127.0.0.1:3000/comunas/{z}/{x}/{y}' martin_hot
  for c in gzip br; do
    PIDS=$m PG=1 HEADER="Accept-Encoding: $c" $BENCH/load.sh 'http://127.0.0.1:3000/comunas/{z}/{x}/{y}' "martin_hot_$c"
  done
  kill $m; wait $m 2>/dev/null || true
  $MARTIN -l 127.0.0.1:3000 --cache-size 0 $DB >/dev/null 2>&1 & m=$!
  wait_port 3000
  PIDS=$m PG=1 $BENCH/load.sh 'http://127.0.0.1:3000/comunas/{z}/{x}/{y}' martin_nocache
  kill $m; wait $m 2>/dev/null || true
fi

/usr/bin/time -f "export comunas z0-15: %e s wall, %M KB max RSS" $bin tiles export "$RESULTS/comunas.pmtiles" layers 2>&1 | tee -a "$RESULTS/summary.txt"

for n in $SIZES; do
  synth="${SYNTH_DIR:-$RESULTS}/synth_$n"
  peer_copy="$PEERS/data/synth_$n.geojson"; [[ -f $peer_copy ]] || peer_copy=
  [[ -f $synth/synth.toml ]] || SYNTH_GEOJSON=$peer_copy bench/synthetic.sh "$synth" "$n"
  [[ $n == 100000 ]] && zooms=12-15 || zooms=14-15
  tiles="$RESULTS/tiles_z$zooms.txt"
  python3 $BENCH/tiles.py "${zooms%-*}" "${zooms#*-}" > "$tiles"
  rm -rf "$synth/.ssepot-cache"
  for start in cold cached; do
    t0=$(date +%s.%N)
    SSEPOT_TILE_CACHE_MB=0 $bin serve "$synth" --store none --addr 127.0.0.1:8094 2>"$RESULTS/synth_${n}_$start.log" & srv=$!
    wait_port 8094
    log "synth $n start-up ($start): $(echo "$(date +%s.%N) - $t0" | bc) s, RSS after start $(rss $srv)"
    [[ $start == cold ]] && kill $srv && wait $srv 2>/dev/null || true
  done
  PIDS=$srv $BENCH/load.sh "http://127.0.0.1:8094/tiles/synth/{z}/{x}/{y}.mvt" "ssepot_synth${n}_nocache" "$tiles"
  if [[ $n == 100000 ]]; then
    # The same set with its outline layer (the union of the cells) in the tiles, in a copy of the folder.
    kill $srv; wait $srv 2>/dev/null || true
    with="${synth}_outline"; mkdir -p "$with"
    ln -sf "$(realpath "$synth/synth.geojson")" "$with/synth.geojson"; ln -sf "$(realpath "$synth/valores.csv")" "$with/valores.csv"
    grep -v '^outline = false' "$synth/synth.toml" > "$with/synth.toml"
    SSEPOT_TILE_CACHE_MB=0 $bin serve "$with" --store none --addr 127.0.0.1:8094 2>/dev/null & srv=$!
    wait_port 8094
    PIDS=$srv $BENCH/load.sh "http://127.0.0.1:8094/tiles/synth/{z}/{x}/{y}.mvt" "ssepot_synth${n}_outline_nocache" "$tiles"
    kill $srv; wait $srv 2>/dev/null || true
    SSEPOT_TILE_CACHE_MB=0 $bin serve "$synth" --store none --addr 127.0.0.1:8094 2>/dev/null & srv=$!
    wait_port 8094
  fi
  # One square kilometre in the middle of the set (0.009° × 0.009° at 6.27° N).
  PIDS=$srv $BENCH/load.sh "http://127.0.0.1:8094/collections/synth/items?bbox=-75.600,6.260,-75.591,6.269" "ssepot_synth${n}_items_bbox_1km2"
  log "synth $n RSS after the runs: $(rss $srv)"
  kill $srv; wait $srv 2>/dev/null || true
  if have_martin; then
    t=synth; [[ $n == 100000 ]] || t="synth_$n"
    $MARTIN -l 127.0.0.1:3000 --cache-size 0 $DB >/dev/null 2>&1 & m=$!
    wait_port 3000
    PIDS=$m PG=1 $BENCH/load.sh "http://127.0.0.1:3000/$t/{z}/{x}/{y}" "martin_synth${n}_nocache" "$tiles"
    kill $m; wait $m 2>/dev/null || true
  fi
done

for n in $SIZES; do
  [[ $n == 100000 ]] || continue
  synth="${SYNTH_DIR:-$RESULTS}/synth_$n"
  /usr/bin/time -f "export synth $n z0-14 (prepared cache): %e s wall, %M KB max RSS" \
    $bin tiles export "$RESULTS/synth.pmtiles" "$synth" --max-zoom 14 2>&1 | grep -v '^\s*$' | tail -7 | tee -a "$RESULTS/summary.txt"
  if [[ -x $PEERS/martin/bin/martin-cp ]] && have_martin; then
    /usr/bin/time -f "martin-cp synth $n z0-14: %e s wall, %M KB max RSS" $PEERS/martin/bin/martin-cp \
      --output-file "$RESULTS/synth_martin.mbtiles" --source synth --min-zoom 0 --max-zoom 14 \
      --bbox=-75.72,6.16,-75.47,6.37 $DB 2>&1 | tail -1 | tee -a "$RESULTS/summary.txt"
  fi
done
log "load at the end: $(uptime)"
echo "results: $RESULTS/results.jsonl, $RESULTS/summary.txt"
