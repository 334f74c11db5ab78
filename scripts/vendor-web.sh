#!/usr/bin/env bash
# Copies MapLibre GL JS, the pmtiles protocol and Chart.js (pinned in package.json) into web/vendor/, which is committed and embedded in the
# binary, so neither building nor serving needs npm or the internet. Run after changing the pinned version.
set -euo pipefail
cd "$(dirname "$0")/.."
npm install --no-audit --no-fund --loglevel=error
cp node_modules/maplibre-gl/dist/maplibre-gl.js node_modules/maplibre-gl/dist/maplibre-gl.css web/vendor/
cp node_modules/pmtiles/dist/pmtiles.js web/vendor/
cp node_modules/pmtiles/LICENSE web/vendor/pmtiles.LICENSE 2>/dev/null || true
cp node_modules/maplibre-gl/LICENSE.txt web/vendor/maplibre-gl.LICENSE.txt
cp node_modules/chart.js/dist/chart.umd.js web/vendor/chart.umd.js
cp node_modules/chart.js/LICENSE.md web/vendor/chart.js.LICENSE.md
echo "web/vendor: maplibre-gl $(node -p "require('./node_modules/maplibre-gl/package.json').version"), chart.js $(node -p "require('./node_modules/chart.js/package.json').version")"
