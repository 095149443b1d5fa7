#!/usr/bin/env bash
# Regenerates ../TensorBoardEvent.pb.swift from tensorboard_event.proto. Needs protoc
# (Debian protobuf-compiler) and protoc-gen-swift built from swift-protobuf 1.39.0 (the
# version Package.swift depends on):
#   git clone https://github.com/apple/swift-protobuf && cd swift-protobuf && git checkout 1.39.0
#   swift build -c release --product protoc-gen-swift
#   PROTOC_GEN_SWIFT=$PWD/.build/release/protoc-gen-swift bash generate.sh
set -euo pipefail
cd "$(dirname "$0")"
protoc --plugin=protoc-gen-swift="${PROTOC_GEN_SWIFT:-$(command -v protoc-gen-swift)}" \
  --swift_out=.. --swift_opt=Visibility=Public tensorboard_event.proto
mv ../tensorboard_event.pb.swift ../TensorBoardEvent.pb.swift
