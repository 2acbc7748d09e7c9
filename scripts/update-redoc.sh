#!/usr/bin/env bash
# Refresh the ReDoc bundle served at /redoc/static/ (so that /redoc works offline).
# Usage: scripts/update-redoc.sh [VERSION]   (needs npm; default: the version below)
set -euo pipefail
version="${1:-2.5.4}"
target="$(cd "$(dirname "$0")/.." && pwd)/src/eoproc/server/redoc"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "redoc@$version" >/dev/null && tar xzf "redoc-$version.tgz")
cp "$work/package/bundles/redoc.standalone.js" "$work/package/bundles/redoc.standalone.js.LICENSE.txt" "$target/"
cp "$work/package/LICENSE" "$target/LICENSE"
echo "$version" > "$target/VERSION"
echo "ReDoc $version copied to $target"
