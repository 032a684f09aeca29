#!/usr/bin/env bash
# Copy front-end assets from npm into the repository, at the versions package.json pins.
# Run by a developer when a version changes; the copies are committed, so neither
# `make run` nor CI needs npm, and no page ever loads an asset from another origin.
set -euo pipefail
cd "$(dirname "$0")/.."
npm install --no-audit --no-fund --silent
version() { node -p "require('./node_modules/$1/package.json').version"; }

mkdir -p tests/vendor
cp node_modules/axe-core/axe.min.js tests/vendor/axe.min.js
echo "axe-core $(version axe-core)" > tests/vendor/VERSIONS

if [ -d node_modules/echarts ]; then
  mkdir -p static/vendor/echarts
  cp node_modules/echarts/dist/echarts.min.js static/vendor/echarts/echarts.min.js
  cp node_modules/echarts/LICENSE static/vendor/echarts/LICENSE
  echo "echarts $(version echarts)" > static/vendor/echarts/VERSION
fi
echo "vendored:"; cat tests/vendor/VERSIONS
