#!/usr/bin/env bash
# An independent STAMP Session-Sender (RFC 8762 / RFC 8972) for the reflector's interop tests:
# stamp-suite, a Rust implementation nobody here wrote, built from crates.io at a pinned version
# and cached under ~/.cache (it is not a Debian package). See docs/testing/stamp-interop.md.
#
#   stamp-sender.sh provision   build stamp-suite unless the cached binary is already there
#   stamp-sender.sh path        print the path of the binary (provisioned or not)
#   stamp-sender.sh version     print the pinned version
#
# Environment:
#   XDG_CACHE_HOME        cache root (default ~/.cache); binary under
#                         packetparamedic/stamp-sender/stamp-suite-<version>/bin/stamp-suite
#   CARGO_BUILD_JOBS      passed to cargo; default 1, because the machine is small and shared
set -euo pipefail

VERSION="1.0.0"
# SHA-256 of stamp-suite-1.0.0.crate as crates.io serves it (its index lists the same digest).
# Checked before anything from the archive is built, so a different upload cannot slip in under
# the same version; the archive's own Cargo.lock (used with --locked) pins every dependency by
# checksum in turn.
CRATE_SHA256="4cb468a974401f21120fc6c4843569fc3d39bdc28b7c1721ec4dd3f907bfe8b9"
ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/packetparamedic/stamp-sender/stamp-suite-${VERSION}"
BIN="${ROOT}/bin/stamp-suite"
# Written last, after the binary answered --version: a half-finished build is never taken as done.
READY="${ROOT}/.provisioned"

log() { printf '[stamp-sender] %s\n' "$*" >&2; }
die() { printf '[stamp-sender] ERROR: %s\n' "$*" >&2; exit 1; }

find_cargo() {
  if command -v cargo >/dev/null 2>&1; then command -v cargo
  elif [ -x "${CARGO_HOME:-$HOME/.cargo}/bin/cargo" ]; then echo "${CARGO_HOME:-$HOME/.cargo}/bin/cargo"
  else die "cargo is required to build stamp-suite ${VERSION} (install Rust with rustup)"
  fi
}

# cargo keeps the .crate archives it downloads in $CARGO_HOME/registry/cache/<registry>/.
cached_crate() {
  local f
  for f in "${CARGO_HOME:-$HOME/.cargo}"/registry/cache/*/"stamp-suite-${VERSION}.crate"; do
    [ -f "$f" ] && { echo "$f"; return 0; }
  done
  return 1
}

provision() {
  if [ -f "$READY" ] && [ -x "$BIN" ]; then
    return 0
  fi
  local cargo crate src build
  cargo="$(find_cargo)"
  # `cargo info` downloads the archive to read its manifest; that is the ordinary client's way
  # to fetch one crate without resolving or building anything.
  if ! crate="$(cached_crate)"; then
    log "downloading stamp-suite ${VERSION} from crates.io"
    (cd / && "$cargo" info --quiet "stamp-suite@${VERSION}" >/dev/null) || die "cargo info stamp-suite@${VERSION} failed"
    crate="$(cached_crate)" || die "cargo did not leave stamp-suite-${VERSION}.crate in its registry cache"
  fi
  echo "${CRATE_SHA256}  ${crate}" | sha256sum --check --status \
    || die "checksum mismatch for ${crate}: expected ${CRATE_SHA256}, got $(sha256sum "$crate" | cut -d' ' -f1)"

  log "building stamp-suite ${VERSION} (cold builds take a few minutes on 2 cores)"
  rm -rf "$ROOT"
  src="${ROOT}/src"
  build="${ROOT}/build"
  mkdir -p "$src"
  tar -xzf "$crate" -C "$src"
  # Built from the verified archive, not from cargo's unpacked copy; the target directory is
  # dropped afterwards because only the binary is needed.
  CARGO_TARGET_DIR="$build" CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-1}" \
    "$cargo" install --quiet --locked --no-track --path "${src}/stamp-suite-${VERSION}" --root "$ROOT" \
    || die "cargo install of stamp-suite ${VERSION} failed"
  rm -rf "$build" "$src"
  "$BIN" --version >/dev/null || die "${BIN} does not run"
  touch "$READY"
}

case "${1:-}" in
  provision)
    provision
    log "$("$BIN" --version)"
    ;;
  path) echo "$BIN" ;;
  version) echo "stamp-suite ${VERSION}" ;;
  *) echo "usage: $0 provision|path|version" >&2; exit 2 ;;
esac
