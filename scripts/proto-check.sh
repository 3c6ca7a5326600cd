#!/usr/bin/env bash
# Checks the Protobuf contracts; exits non-zero if any check fails (all checks run regardless).
#   1. buf lint (buf.yaml: STANDARD, vendored google/ ignored)
#   2. gen/ is up to date: regenerates into a temporary directory and compares
#   3. buf breaking (FILE rules) against a base:
#        $PROTO_BASE if set (any buf input, e.g. '.git#tag=v1.2.0' or a path to an image),
#        else '.git#branch=main' when the current branch is not main (or '.git#ref=origin/main'
#        when there is no local main, as in a CI checkout of a pull request),
#        else '.git#ref=HEAD~1'.
#      Skipped, saying why, when the base ref does not exist (shallow clone, first commit) or the
#      base has no proto/ directory.
set -uo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
buf="$repo_root/node_modules/.bin/buf"
failed=()

echo "== buf lint"
if "$buf" lint; then
  echo "ok"
else
  failed+=("lint")
fi

echo "== gen/ up to date"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
if ! "$repo_root/scripts/proto-generate.sh" "$tmp" >"$tmp/generate.log" 2>&1; then
  cat "$tmp/generate.log" >&2
  failed+=("generate")
elif ! differences="$(diff -rq "$tmp/gen" gen 2>&1)"; then
  echo "gen/ is stale; run scripts/proto-generate.sh (make proto) and commit gen/. Differences:" >&2
  # "Files A and B differ" / "Only in DIR: NAME", with the temp prefix shown as <fresh>.
  printf '%s\n' "$differences" | sed "s|$tmp/gen|<fresh>/gen|g" >&2
  failed+=("stale gen/")
else
  echo "ok"
fi

echo "== buf breaking"
base=""
skip_reason=""
if [[ -n "${PROTO_BASE:-}" ]]; then
  base="$PROTO_BASE"
else
  branch="$(git rev-parse --abbrev-ref HEAD 2>/dev/null || true)"
  if [[ "$branch" != "main" ]]; then
    if git rev-parse --verify --quiet "refs/heads/main" >/dev/null ||
      ! git rev-parse --verify --quiet "refs/remotes/origin/main" >/dev/null; then
      ref="main"
      base=".git#branch=main"
    else
      ref="origin/main"
      base=".git#ref=origin/main"
    fi
  else
    ref="HEAD~1"
    base=".git#ref=HEAD~1"
  fi
  if ! git rev-parse --verify --quiet "${ref}^{commit}" >/dev/null; then
    skip_reason="base ref '$ref' does not exist (first commit, shallow clone or no local main branch); set PROTO_BASE to compare against something else"
  elif [[ -z "$(git ls-tree -d "$ref" proto 2>/dev/null)" ]]; then
    skip_reason="base '$ref' has no proto/ directory, nothing to compare against"
  elif [[ -z "$(git ls-tree "$ref" buf.yaml 2>/dev/null)" ]]; then
    # A base from before buf.yaml existed: point buf at the proto root directly.
    base="$base,subdir=proto"
  fi
fi
if [[ -n "$skip_reason" ]]; then
  echo "skipped: $skip_reason"
else
  echo "against $base"
  if "$buf" breaking --against "$base"; then
    echo "ok"
  else
    failed+=("breaking (against $base)")
  fi
fi

if ((${#failed[@]} > 0)); then
  echo "proto-check FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "proto-check passed"
