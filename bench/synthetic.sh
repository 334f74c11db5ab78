#!/usr/bin/env bash
# Builds the 100 000-polygon scale set as a layers folder: bench/gen_synthetic.py's GeoJSON (a copy of ../shared/bench's) as a unit
# set, and its yearly values v2014..v2023 as a wide CSV table (an indicator). Nothing of it is committed.
# usage: bench/synthetic.sh OUT_DIR [N]
# env:   SYNTH_GEOJSON=path  link that file (the same generator's output, e.g. the peers' copy) instead of generating
set -euo pipefail
out="${1:?OUT_DIR}"; n="${2:-100000}"
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$out"
if [[ -n ${SYNTH_GEOJSON:-} ]]; then ln -sf "$SYNTH_GEOJSON" "$out/synth.geojson"
else python3 "$here/gen_synthetic.py" "$n" "$out/synth.geojson"; fi
python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
d = json.load(open(f"{out}/synth.geojson"))
years = [k[1:] for k in d["features"][0]["properties"] if k.startswith("v")]
with open(f"{out}/valores.csv", "w") as f:
    f.write("code," + ",".join(years) + "\n")
    for feat in d["features"]:
        p = feat["properties"]
        f.write(str(p["code"]) + "," + ",".join(str(p["v" + y]) for y in years) + "\n")
PY
cat > "$out/synth.toml" <<'TOML'
[[unit_set]]
id = "synth"
title = "Synthetic polygons (MUESTRA SINTÉTICA)"
source = "synth.geojson"
key_field = "code"
name_field = "code"
# The cells do not touch: their union is no outline (and Martin's tiles have none). bench/run.sh also measures
# the 100 000 set with it, in a copy of this folder without this line.
outline = false

[[indicator]]
id = "valor"
name = "Synthetic value"
unit = "units"
unit_set = "synth"
sample = true

[indicator.table]
path = "valores.csv"
layout = "wide"
key_column = "code"
TOML
echo "$out: $(grep -c . "$out/valores.csv") rows"
