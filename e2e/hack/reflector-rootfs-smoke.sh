#!/usr/bin/env bash
# Smoke-runs the contents of the reflector image without a container engine or a registry:
# builds the root filesystem reflector/Containerfile describes from Debian's own packages
# (mmdebstrap, the base being Debian's minbase like the -slim images), applies the
# Containerfile's user setup and COPY, and runs the image's programs inside it with chroot as
# the image's non-root user. It checks what the image holds (Java 17, iperf3, the jar, the
# user, permissions); it does not exercise a container runtime (namespaces, cgroups, layers).
#
#   e2e/hack/reflector-rootfs-smoke.sh    (root; needs mmdebstrap and a built reflector/target/reflector.jar)
#
# Environment:
#   XDG_CACHE_HOME   cache root; the rootfs is kept under packetparamedic/rootfs/ and rebuilt
#                    when the Containerfile's package list changes
set -euo pipefail
cd "$(dirname "$0")/../.."

log() { printf '[rootfs-smoke] %s\n' "$*" >&2; }
die() { printf '[rootfs-smoke] ERROR: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (mmdebstrap and chroot)"
command -v mmdebstrap >/dev/null 2>&1 || die "mmdebstrap is required (apt-get install -y mmdebstrap)"
CONTAINERFILE=reflector/Containerfile
JAR=reflector/target/reflector.jar
[ -f "$JAR" ] || die "$JAR is missing: ./mvnw -B -pl reflector -am package -DskipTests"

# What the Containerfile says, read from it rather than repeated here.
suite="$(sed -n 's#^FROM docker.io/library/debian:\([a-z]*\)-slim.*#\1#p' "$CONTAINERFILE")"
[ -n "$suite" ] || die "cannot read the Debian suite from the FROM line of $CONTAINERFILE"
packages="$(awk '/apt-get install/{f=1} f{print} /&&[^&]*rm -rf/{f=0}' "$CONTAINERFILE" \
  | tr ' \\' '\n\n' | grep -E '^[a-z0-9][a-z0-9.+-]+$' \
  | grep -vxE 'apt-get|install|rm|rf|DEBIAN_FRONTEND=noninteractive|y' | sort -u | paste -sd, -)"
[ -n "$packages" ] || die "cannot read the package list from $CONTAINERFILE"
user_setup="$(awk '/^RUN groupadd/{f=1} f{print} f && !/\\$/{exit}' "$CONTAINERFILE" | sed 's/^RUN //; s/\\$//' | tr '\n' ' ')"
uid="$(sed -n 's/^USER \([0-9]*\).*/\1/p' "$CONTAINERFILE" | tail -1)"
[ -n "$user_setup" ] && [ -n "$uid" ] || die "cannot read the user setup from $CONTAINERFILE"

cache="${XDG_CACHE_HOME:-$HOME/.cache}/packetparamedic/rootfs"
key="$(printf '%s %s %s' "$suite" "$packages" "$user_setup" | sha256sum | cut -c1-12)"
rootfs="$cache/reflector-$suite-$key"
if [ ! -x "$rootfs/usr/bin/java" ]; then
  rm -rf "$rootfs.tmp"
  mkdir -p "$cache"
  log "building $suite minbase + $packages (Debian packages only)"
  t0=$(date +%s)
  mmdebstrap --variant=minbase --include="$packages" \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/*' \
    "$suite" "$rootfs.tmp" >&2
  chroot "$rootfs.tmp" /bin/sh -c "$user_setup"
  mv "$rootfs.tmp" "$rootfs"
  log "rootfs built in $(( $(date +%s) - t0 )) s: $(du -sh "$rootfs" | cut -f1)"
fi

install -D -m 0644 "$JAR" "$rootfs/opt/reflector/reflector.jar"
# A container runtime gives every container /proc (the java launcher finds its libraries
# through /proc/self/exe) and /dev; so does this.
mount -t proc proc "$rootfs/proc"
mount --bind /dev "$rootfs/dev"
trap 'umount "$rootfs/dev" 2>/dev/null || true; umount "$rootfs/proc" 2>/dev/null || true' EXIT
as_user() { chroot --userspec="$uid:$uid" "$rootfs" env HOME=/var/lib/reflector "$@"; }

log "java:   $(as_user java -version 2>&1 | head -1)"
log "iperf3: $(as_user iperf3 --version 2>&1 | head -1)"
log "user:   $(as_user id)"
as_user test -w /var/lib/reflector || die "/var/lib/reflector is not writable by UID $uid"
as_user sh -c '! touch /opt/reflector/x 2>/dev/null' || die "UID $uid can write to /opt/reflector"

# The image's entrypoint, as UID 10001, in the image's filesystem (state from earlier runs removed).
find "$rootfs/var/lib/reflector" -mindepth 1 -delete
version="$(as_user java -jar /opt/reflector/reflector.jar --version)"
log "reflector --version: $version"
cat > "$rootfs/var/lib/reflector/smoke.toml" <<'EOF'
[identity]
private_key_path = "/var/lib/reflector/identity.ed25519"
[logging]
audit_log_path = "/var/lib/reflector/audit.jsonl"
EOF
chown "$uid:$uid" "$rootfs/var/lib/reflector/smoke.toml"
id1="$(as_user java -jar /opt/reflector/reflector.jar -c /var/lib/reflector/smoke.toml show-id)"
id2="$(as_user java -jar /opt/reflector/reflector.jar -c /var/lib/reflector/smoke.toml show-id)"
[ "$id1" = "$id2" ] || die "the Endpoint ID changed between two runs: $id1 / $id2"
mode="$(stat -c %a "$rootfs/var/lib/reflector/identity.ed25519")"
size="$(stat -c %s "$rootfs/var/lib/reflector/identity.ed25519")"
[ "$mode" = 600 ] && [ "$size" = 32 ] || die "identity key has mode $mode and $size bytes (want 600, 32)"
log "show-id as UID $uid: $id1 (key 32 bytes, mode 600)"

# serve from the image's filesystem on loopback, then pair the host's appliance-like client
# with a code opened through the running server's admin channel, and ask for its status.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
control="$(free_port)"; health="$(free_port)"
cat >> "$rootfs/var/lib/reflector/smoke.toml" <<SMOKE_TOML
[network]
listen_address = "127.0.0.1:$control"
listen_address_health = "127.0.0.1:$health"
[access]
pairing_enabled = true
SMOKE_TOML
# Started directly (not through as_user) so that $! is the process that becomes the JVM.
chroot --userspec="$uid:$uid" "$rootfs" env HOME=/var/lib/reflector \
  java -jar /opt/reflector/reflector.jar -c /var/lib/reflector/smoke.toml serve > "$cache/serve.log" 2>&1 &
serve_pid=$!
cleanup() {
  kill "$serve_pid" 2>/dev/null || true
  wait "$serve_pid" 2>/dev/null || true
  umount "$rootfs/dev" 2>/dev/null || true
  umount "$rootfs/proc" 2>/dev/null || true
}
trap cleanup EXIT
deadline=$(( $(date +%s) + 60 ))
until curl -fsS "http://127.0.0.1:$health/health" > "$cache/health.json" 2>/dev/null; do
  kill -0 "$serve_pid" 2>/dev/null || die "serve exited: $(tail -5 "$cache/serve.log")"
  [ "$(date +%s)" -lt "$deadline" ] || die "no /health within 60 s: $(tail -5 "$cache/serve.log")"
  sleep 0.5
done
log "serve as UID $uid: /health -> $(cat "$cache/health.json")"
pair_out="$(as_user java -jar /opt/reflector/reflector.jar -c /var/lib/reflector/smoke.toml pair --ttl 2m)"
code="$(printf '%s\n' "$pair_out" | grep -oE '\b[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{8}\b' | head -1)"
[ -n "$code" ] || die "pair printed no code: $pair_out"
client_dir="$(mktemp -d)"
java -jar "$JAR" client --server "127.0.0.1:$control" --identity "$client_dir/client.ed25519" pair "$code" >&2
java -jar "$JAR" client --server "127.0.0.1:$control" --identity "$client_dir/client.ed25519" --pin "$id1" status >&2
rm -rf "$client_dir"
find "$rootfs/var/lib/reflector" -mindepth 1 -delete
log "OK"
