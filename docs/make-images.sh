#!/usr/bin/env bash
# Remake the README's pictures from the bundled samples with the tool itself (npm run docs:images):
# docs/preview-street.png (a preview) and docs/report.png (the HTML report, screenshot by Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
node bin/encord-convert.js preview samples/images.json --ontology samples/ontology.json -o "$tmp/preview" -q
cp "$tmp/preview/street.png" docs/preview-street.png
node bin/encord-convert.js inspect samples/images.json samples/media.json --ontology samples/ontology.json --html "$tmp/report.html" >/dev/null
/usr/bin/chromium --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
  --disable-sync --no-first-run --user-data-dir="$tmp/profile" --hide-scrollbars --window-size=900,1180 \
  --screenshot="$tmp/report.png" "file://$tmp/report.html" 2>/dev/null
cp "$tmp/report.png" docs/report.png
ls -l docs/preview-street.png docs/report.png
