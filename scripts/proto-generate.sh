#!/usr/bin/env bash
# Regenerates gen/ from proto/: the ts-proto stubs (buf.gen.yaml) and gen/descriptor.binpb, the
# FileDescriptorSet (imports included, no source info) that the runtime loads for gRPC reflection
# and to read each method's idempotency_level. `make proto` runs this.
#
# Usage: scripts/proto-generate.sh [OUT_ROOT]
#   OUT_ROOT defaults to the repository root; gen/ is written under it. scripts/proto-check.sh
#   passes a temporary directory to compare a fresh generation with the committed gen/.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

out_root="${1:-$repo_root}"
buf="$repo_root/node_modules/.bin/buf"
if [[ ! -x "$buf" || ! -x node_modules/.bin/protoc-gen-ts_proto ]]; then
  echo "proto-generate: buf or ts-proto missing under node_modules/.bin; run npm ci first" >&2
  exit 1
fi

mkdir -p "$out_root"
out_root="$(cd "$out_root" && pwd)"

rm -rf "$out_root/gen"
"$buf" generate --template buf.gen.yaml --output "$out_root"
"$buf" build --exclude-source-info -o "$out_root/gen/descriptor.binpb"
