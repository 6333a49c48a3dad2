#!/bin/sh
# Builds, in TARGET (the module's target/ directory), from the shaded jar:
#   kubectl-packetparamedic          the single executable file: stub.sh followed by the jar
#   kubectl-packetparamedic.tar.gz   that file alone, the archive krew installs from
#   krew/packetparamedic.yaml        the krew manifest with this archive's sha256, VERSION and URI
# Usage: assemble.sh MODULE_DIR TARGET VERSION URI   (run by exec-maven-plugin in the package phase)
set -eu
module="$1"; target="$2"; version="$3"; uri="$4"
exe="$target/kubectl-packetparamedic"
cat "$module/src/main/dist/stub.sh" "$target/kubectl-packetparamedic.jar" > "$exe.tmp"
chmod 0755 "$exe.tmp"
mv -f "$exe.tmp" "$exe"
# --mtime and --owner: the same jar gives the same archive (and sha256) on every build.
tar --sort=name --mtime='2000-01-01 00:00:00Z' --owner=0 --group=0 --numeric-owner \
  -C "$target" -cf - kubectl-packetparamedic | gzip -n > "$target/kubectl-packetparamedic.tar.gz"
sha="$(sha256sum "$target/kubectl-packetparamedic.tar.gz" | cut -d' ' -f1)"
mkdir -p "$target/krew"
sed -e "s/@SHA256@/$sha/g" -e "s/@VERSION@/v${version%-SNAPSHOT}/g" -e "s|@URI@|$uri|g" \
  "$module/krew/packetparamedic.yaml" > "$target/krew/packetparamedic.yaml"
