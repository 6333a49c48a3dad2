#!/usr/bin/env bash
# Removes network namespaces left by the netns e2e tests (e2e/netns) when a run was killed
# before it could clean up. Names are ppn<owner pid in base 36>x<n>-<role>; a namespace whose
# owner process still runs is left alone unless --all is given. Links and nftables tables of the
# tests live inside those namespaces and go with them.
set -euo pipefail

all=false
[ "${1:-}" = "--all" ] && all=true

removed=0
while read -r ns _; do
  [[ "$ns" =~ ^ppn([0-9a-z]+)x[0-9]+- ]] || continue
  owner=$((36#${BASH_REMATCH[1]}))
  if ! $all && kill -0 "$owner" 2>/dev/null; then
    echo "keeping $ns (owner pid $owner is running)"
    continue
  fi
  ip netns del "$ns" && removed=$((removed + 1)) && echo "removed $ns"
done < <(ip netns list)
echo "removed $removed namespace(s)"
