#!/usr/bin/env bash
# The project's container images, built on this machine without a container engine or a
# registry: root filesystems from Debian's packages (mmdebstrap), the project's jars on top,
# OCI image layouts made with umoci, written as oci-archive tar files that
# `ctr images import` loads into a node's containerd.
#
#   images.sh provision   install mmdebstrap, umoci, gcc (static libc), jq, containerd from Debian
#                         (skips what is there)
#   images.sh build [name...]
#                         build localhost/packetparamedic/{reflector,operator,pause}:dev (default: all three)
#                         and print "name path" for each archive
#   images.sh paths       print "name path" for every archive (built or not)
#   images.sh refs        print "name reference" (localhost/packetparamedic/<name>:dev)
#   images.sh import <containerd socket> [namespace]
#                         import the three archives into a running containerd (default namespace
#                         k8s.io, the CRI's); prints "name reference"
#   images.sh import-check
#                         import the archives into a private containerd (own root, state, socket),
#                         run each once with runc,
#                         check they are complete and unpacked, stop it and remove everything
#
# What each image holds, and where that is described:
#   reflector  reflector/Containerfile, read here rather than repeated: its Debian suite, packages,
#              RUN user setup, COPY of target/reflector.jar, USER, WORKDIR, EXPOSE, ENV,
#              ENTRYPOINT and CMD. Needs reflector/target/reflector.jar (./mvnw package).
#   operator   the quarkus.jib.* settings in operator/src/main/resources/application.properties
#              (user, working directory, JVM arguments, ports: what the Jib build in
#              docs/install.md makes), on the reflector's Debian suite with its Java runtime and
#              CA certificates; the app is operator/target/quarkus-app (./mvnw package).
#   pause      the pod sandbox: e2e/hack/pause/pause.c, compiled here with gcc -static.
#
# Layers: one for the Debian root filesystem (cached, keyed on suite, packages, setup), one for
# the project's files. File times are SOURCE_DATE_EPOCH (default 1, like Jib), owners numeric,
# entries sorted: the same inputs give the same layer digests.
#
# Needs root (mmdebstrap and chroot). Network: Debian's package mirror only.
#
# Environment:
#   XDG_CACHE_HOME     cache root (default ~/.cache): base layers under packetparamedic/images/base/,
#                      downloaded .debs under packetparamedic/images/debs/
#   PP_IMAGES_OUT      where the archives go (default <repo>/e2e/target/images): <name>.oci.tar
#   SOURCE_DATE_EPOCH  timestamp of every file, layer and config (default 1)
#   PP_DEBIAN_MIRROR   mirror for mmdebstrap (default: the machine's apt sources)
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO="$(pwd)"

PREFIX=localhost/packetparamedic
TAG=dev
NAMES=(reflector operator pause)
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/packetparamedic/images"
OUT="${PP_IMAGES_OUT:-$REPO/e2e/target/images}"
EPOCH="${SOURCE_DATE_EPOCH:-1}"
CREATED="$(date -u -d "@$EPOCH" +%Y-%m-%dT%H:%M:%SZ)"
# Bumped when the way a base layer is made changes, so that cached ones are rebuilt.
BASE_FORMAT=1
# What the Debian slim images set; the Containerfile's ENV lines come on top.
DEFAULT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

CONTAINERFILE=reflector/Containerfile
REFLECTOR_JAR=reflector/target/reflector.jar
OPERATOR_PROPERTIES=operator/src/main/resources/application.properties
OPERATOR_APP=operator/target/quarkus-app
PAUSE_SRC=e2e/hack/pause/pause.c

log() { printf '[images] %s\n' "$*" >&2; }
die() { printf '[images] ERROR: %s\n' "$*" >&2; exit 1; }

archive() { echo "$OUT/$1.oci.tar"; }

# ---------------------------------------------------------------------------------------------
# provision

provision() {
  [ "$(id -u)" = 0 ] || die "provision installs Debian packages: run it as root"
  local need=()
  command -v mmdebstrap >/dev/null 2>&1 || need+=(mmdebstrap)
  command -v umoci >/dev/null 2>&1 || need+=(umoci)
  command -v jq >/dev/null 2>&1 || need+=(jq)
  command -v gcc >/dev/null 2>&1 || need+=(gcc)
  # Only for import-check: Debian's containerd (with ctr and runc) loads the archives as a node would.
  command -v containerd >/dev/null 2>&1 && command -v ctr >/dev/null 2>&1 || need+=(containerd)
  # gcc -static needs the static C library.
  [ -f /usr/lib/x86_64-linux-gnu/libc.a ] || [ -n "$(find /usr/lib -maxdepth 2 -name libc.a -print -quit 2>/dev/null)" ] \
    || need+=(libc6-dev)
  if [ ${#need[@]} -gt 0 ]; then
    log "installing from Debian: ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
  fi
  log "mmdebstrap $(mmdebstrap --version | awk '{print $2}'), $(umoci --version), $(gcc --version | head -1)"
}

require_tools() {
  [ "$(id -u)" = 0 ] || die "build needs root (mmdebstrap and chroot)"
  local t
  for t in mmdebstrap umoci jq gcc tar sha256sum; do
    command -v "$t" >/dev/null 2>&1 || die "$t is missing: run e2e/hack/images.sh provision"
  done
}

# ---------------------------------------------------------------------------------------------
# Reading the Containerfile and the operator's properties

# The Containerfile's instructions, one a line: comments dropped, continuations joined.
instructions() {
  sed -e '/^[[:space:]]*#/d' "$CONTAINERFILE" \
    | awk '{ if (sub(/\\[[:space:]]*$/, "")) { buf = buf $0 " "; next } print buf $0; buf = "" }' \
    | sed -e 's/[[:space:]][[:space:]]*/ /g' -e 's/^ //' -e '/^$/d'
}

# Arguments of the last instruction with this keyword.
last() { instructions | awk -v k="$1" '$1 == k { $1 = ""; v = substr($0, 2) } END { print v }'; }

cf_suite() {
  instructions | sed -n 's#^FROM docker\.io/library/debian:\([a-z]*\)-slim.*#\1#p' | tail -1
}

# The packages of the RUN holding `apt-get install`: the words after `install` that are not options.
cf_packages() {
  instructions | grep '^RUN .*apt-get .*install' | sed 's/.*apt-get[^&]* install//; s/&&.*//' \
    | tr ' ' '\n' | grep -E '^[a-z0-9][a-z0-9.+-]+$' | sort -u
}

# The other RUN instructions (the user setup), in order, as one shell script.
cf_setup() {
  instructions | grep '^RUN ' | grep -v 'apt-get' | sed 's/^RUN //'
}

# `ENV K=V` and `ENV K V` as K=V lines.
cf_env() {
  instructions | awk '$1 == "ENV" { if ($2 ~ /=/) { for (i = 2; i <= NF; i++) print $i } else { $1 = ""; k = $2; $2 = ""; sub(/^ +/, ""); print k "=" $0 } }'
}

# EXPOSE ports, ranges expanded like `docker build` and `podman build` record them.
cf_ports() {
  local p range proto a b
  for p in $(instructions | awk '$1 == "EXPOSE" { $1 = ""; print }'); do
    range="${p%/*}"; proto=tcp
    [ "$range" != "$p" ] && proto="${p#*/}"
    a="${range%-*}"; b="${range#*-}"
    seq "$a" "$b" | sed "s#\$#/$proto#"
  done
}

# A property of the operator's application.properties (the last definition wins, as in Quarkus).
operator_property() {
  local v
  v="$(sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" "$OPERATOR_PROPERTIES" | tail -1)"
  [ -n "$v" ] || die "$OPERATOR_PROPERTIES has no $1"
  printf '%s\n' "$v"
}

# ---------------------------------------------------------------------------------------------
# Layers and layouts

# A deterministic, uncompressed layer tar of a directory: sorted, numeric owners, one mtime,
# no access or change times; kernel-provided mount points left empty.
layer_tar() {
  local dir="$1" out="$2"
  tar --create --file "$out" --directory "$dir" --format=posix --sort=name --numeric-owner \
    --pax-option='exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime' --mtime="@$EPOCH" \
    --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' --exclude='./run/*' \
    --exclude='./tmp/*' --exclude='./var/cache/apt/archives/*.deb' --exclude='./var/lib/apt/lists/*' \
    .
}

# An OCI layout under $CACHE/base holding one tag, "base": Debian <suite> minbase with the
# packages, then the setup script run in it. Prints the layout's directory.
base_layout() {
  local name="$1" suite="$2" packages="$3" setup="$4"
  local key dir
  key="$(printf '%s\n' "$BASE_FORMAT" "$EPOCH" "$suite" "$packages" "$setup" "${PP_DEBIAN_MIRROR:-}" | sha256sum | cut -c1-16)"
  dir="$CACHE/base/$name-$suite-$key"
  if [ -f "$dir/index.json" ]; then
    log "$name: base layer cached ($dir)"
    echo "$dir"
    return
  fi
  local t0 work rootfs debs
  t0=$(date +%s)
  mkdir -p "$CACHE/base" "$CACHE/tmp" "$CACHE/debs"
  debs="$CACHE/debs"
  work="$(mktemp -d "$CACHE/tmp/$name-base.XXXXXX")"
  rootfs="$work/rootfs"
  log "$name: building the base layer: Debian $suite minbase + $(echo "$packages" | paste -sd' ')"
  # Downloaded packages are kept in $debs and offered to the next build (apt checks their hashes).
  SOURCE_DATE_EPOCH="$EPOCH" mmdebstrap --variant=minbase --mode=root --quiet \
    --include="$(echo "$packages" | paste -sd,)" \
    --skip=essential/unlink \
    --setup-hook="mkdir -p \"\$1/var/cache/apt/archives\" && find '$debs' -maxdepth 1 -name '*.deb' -exec cp -t \"\$1/var/cache/apt/archives/\" {} +" \
    --customize-hook="find \"\$1/var/cache/apt/archives\" -maxdepth 1 -name '*.deb' -exec cp -n -t '$debs/' {} +" \
    --customize-hook='rm -f "$1"/var/cache/apt/archives/*.deb; rm -rf "$1"/var/lib/apt/lists/*' \
    "$suite" "$rootfs" ${PP_DEBIAN_MIRROR:+"$PP_DEBIAN_MIRROR"} >&2 \
    || { rm -rf "$work"; die "$name: mmdebstrap failed"; }
  if [ -n "$setup" ]; then
    chroot "$rootfs" /bin/sh -ec "$setup" >&2 || { rm -rf "$work"; die "$name: the setup failed in the rootfs: $setup"; }
  fi
  layer_tar "$rootfs" "$work/base.tar"
  # (stdout of this function is the layout's path: everything else goes to stderr)
  {
    umoci init --layout "$work/layout"
    umoci new --image "$work/layout:base"
    umoci raw add-layer --image "$work/layout:base" --history.created "$CREATED" \
      --history.created_by "mmdebstrap --variant=minbase --include=$(echo "$packages" | paste -sd,) $suite; $setup" \
      "$work/base.tar"
  } >&2
  mkdir -p "$(dirname "$dir")"
  rm -rf "$dir"
  mv "$work/layout" "$dir"
  rm -rf "$work"
  log "$name: base layer built in $(( $(date +%s) - t0 )) s ($(du -sh "$dir" | cut -f1) compressed)"
  echo "$dir"
}

# Writes $OUT/<name>.oci.tar from a layout copied from <base> (or a new one when base is empty),
# plus the layer tar <app>, then the config options given after them (umoci config flags).
finish_image() {
  local name="$1" base="$2" app_tar="$3" work="$4"; shift 4
  local layout="$work/layout" ref="$PREFIX/$name:$TAG"
  if [ -n "$base" ]; then
    mkdir -p "$layout"
    cp "$base/oci-layout" "$base/index.json" "$layout/"
    # Blobs are content-addressed and never rewritten: hard links, not copies.
    cp -al "$base/blobs" "$layout/blobs"
  else
    umoci init --layout "$layout"
    umoci new --image "$layout:base"
  fi
  umoci raw add-layer --image "$layout:base" --tag "$TAG" --history.created "$CREATED" \
    --history.created_by "e2e/hack/images.sh: the project's files" "$app_tar"
  umoci config --image "$layout:$TAG" --no-history --created "$CREATED" --author "e2e/hack/images.sh" \
    --os linux --architecture amd64 \
    --config.label "org.opencontainers.image.title=packetparamedic-$name" \
    --config.label "org.opencontainers.image.created=$CREATED" \
    "$@"
  umoci rm --image "$layout:base"
  umoci gc --layout "$layout"
  # `ctr images import` names the image from this annotation when no --base-name is given.
  jq -c --arg ref "$ref" '.manifests |= map(.annotations["io.containerd.image.name"] = $ref)' \
    "$layout/index.json" > "$layout/index.json.new"
  mv "$layout/index.json.new" "$layout/index.json"
  mkdir -p "$OUT"
  tar --create --file "$(archive "$name").tmp" --directory "$layout" --format=posix --sort=name \
    --owner=0 --group=0 --numeric-owner --mtime="@$EPOCH" \
    --pax-option='exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime' \
    oci-layout index.json blobs
  mv "$(archive "$name").tmp" "$(archive "$name")"
}

# Skips the build when <name>.oci.tar was made from the same inputs. $1 name, $2 key.
up_to_date() {
  [ -f "$(archive "$1")" ] && [ "$(cat "$(archive "$1").key" 2>/dev/null)" = "$2" ]
}

mark_built() { printf '%s\n' "$2" > "$(archive "$1").key"; }

script_hash() { sha256sum "$REPO/e2e/hack/images.sh" | cut -c1-16; }

# umoci config flags for an exec-form JSON array: --config.<what> per element.
json_flags() {
  local what="$1" json="$2"
  jq -r '.[]' <<<"$json" | while IFS= read -r arg; do printf -- '--config.%s\0%s\0' "$what" "$arg"; done
}

# ---------------------------------------------------------------------------------------------
# The images

build_reflector() {
  [ -f "$REFLECTOR_JAR" ] || die "$REFLECTOR_JAR is missing: build it first (./mvnw -B -pl reflector -am package -DskipTests)"
  local suite packages setup user workdir entrypoint cmd copy_src copy_dest
  suite="$(cf_suite)"
  [ -n "$suite" ] || die "cannot read the Debian suite from the FROM line of $CONTAINERFILE"
  packages="$(cf_packages)"
  [ -n "$packages" ] || die "cannot read the packages from $CONTAINERFILE"
  setup="$(cf_setup)"
  user="$(last USER)"; workdir="$(last WORKDIR)"; entrypoint="$(last ENTRYPOINT)"; cmd="$(last CMD)"
  read -r copy_src copy_dest <<<"$(last COPY)"
  [ -n "$user" ] && [ -n "$workdir" ] && [ -n "$entrypoint" ] || die "cannot read USER, WORKDIR, ENTRYPOINT from $CONTAINERFILE"
  [ "$copy_src" = "target/reflector.jar" ] || die "$CONTAINERFILE copies $copy_src, this script knows target/reflector.jar"
  jq -e 'type == "array"' <<<"$entrypoint" >/dev/null || die "ENTRYPOINT is not in exec form: $entrypoint"

  local key
  key="$(printf '%s\n' "$(script_hash)" "$EPOCH" "$(sha256sum "$CONTAINERFILE" | cut -c1-64)" \
    "$(sha256sum "$REFLECTOR_JAR" | cut -c1-64)" | sha256sum | cut -c1-16)"
  if up_to_date reflector "$key"; then
    log "reflector: up to date"
    return
  fi
  local t0 base work
  t0=$(date +%s)
  base="$(base_layout reflector "$suite" "$packages" "$setup")"
  work="$(mktemp -d "$CACHE/tmp/reflector.XXXXXX")"
  # The COPY: the jar as root, mode 0644, in the directories the setup made (root, 0755).
  install -d -m 0755 "$work/app$(dirname "$copy_dest")"
  install -m 0644 "$REFLECTOR_JAR" "$work/app$copy_dest"
  chmod 0755 "$work/app"
  layer_tar "$work/app" "$work/app.tar"

  local flags=() f
  while IFS= read -r -d '' f; do flags+=("$f"); done < <(json_flags entrypoint "$entrypoint"; [ -n "$cmd" ] && json_flags cmd "$cmd")
  flags+=(--config.user "$user" --config.workingdir "$workdir" --config.env "PATH=$DEFAULT_PATH")
  while IFS= read -r f; do [ -n "$f" ] && flags+=(--config.env "$f"); done < <(cf_env)
  while IFS= read -r f; do flags+=(--config.exposedports "$f"); done < <(cf_ports)
  flags+=(--config.label "org.opencontainers.image.source=reflector/Containerfile")
  finish_image reflector "$base" "$work/app.tar" "$work" "${flags[@]}"
  rm -rf "$work"
  mark_built reflector "$key"
  log "reflector: built in $(( $(date +%s) - t0 )) s"
}

build_operator() {
  [ -f "$OPERATOR_APP/quarkus-run.jar" ] || die "$OPERATOR_APP/quarkus-run.jar is missing: build it first (./mvnw -B -pl operator -am package -DskipTests)"
  local suite packages user uid gid workdir jvm_args ports
  suite="$(cf_suite)"
  [ -n "$suite" ] || die "cannot read the Debian suite from the FROM line of $CONTAINERFILE"
  # The reflector's Java runtime and CA certificates; the operator needs nothing else.
  packages="$(cf_packages | grep -E '^(openjdk-[0-9]+-jre-headless|ca-certificates)$')"
  user="$(operator_property quarkus.jib.user)"
  uid="${user%%:*}"; gid="${user#*:}"
  [[ "$uid" =~ ^[1-9][0-9]*$ && "$gid" =~ ^[0-9]+$ ]] || die "quarkus.jib.user must be numeric uid:gid (runAsNonRoot checks it): $user"
  workdir="$(operator_property quarkus.jib.working-directory)"
  jvm_args="$(operator_property quarkus.jib.jvm-arguments)"
  ports="$(operator_property quarkus.jib.ports)"
  local setup="groupadd --system --gid $gid reflector-operator
useradd --system --uid $uid --gid $gid --home-dir $workdir --no-create-home --shell /usr/sbin/nologin reflector-operator
install -d -o root -g root -m 0755 $workdir"

  local key app_hash
  app_hash="$(cd "$OPERATOR_APP" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-64)"
  key="$(printf '%s\n' "$(script_hash)" "$EPOCH" "$(sha256sum "$CONTAINERFILE" | cut -c1-64)" \
    "$(sha256sum "$OPERATOR_PROPERTIES" | cut -c1-64)" "$app_hash" | sha256sum | cut -c1-16)"
  if up_to_date operator "$key"; then
    log "operator: up to date"
    return
  fi
  local t0 base work
  t0=$(date +%s)
  base="$(base_layout operator "$suite" "$packages" "$setup")"
  work="$(mktemp -d "$CACHE/tmp/operator.XXXXXX")"
  # quarkus-app in the working directory, as Jib lays it out: owned by root, read-only for the user.
  install -d -m 0755 "$work/app$workdir"
  cp -r "$OPERATOR_APP/." "$work/app$workdir/"
  chmod -R u=rwX,go=rX "$work/app"
  chown -R 0:0 "$work/app"
  layer_tar "$work/app" "$work/app.tar"

  local flags=(--config.entrypoint java) a p
  IFS=',' read -r -a a <<<"$jvm_args"
  for p in "${a[@]}"; do flags+=(--config.entrypoint "$(echo "$p" | xargs)"); done
  flags+=(--config.entrypoint -jar --config.entrypoint "$workdir/quarkus-run.jar")
  flags+=(--config.user "$user" --config.workingdir "$workdir" --config.env "PATH=$DEFAULT_PATH")
  IFS=',' read -r -a a <<<"$ports"
  for p in "${a[@]}"; do p="$(echo "$p" | xargs)"; flags+=(--config.exposedports "${p%/tcp}/tcp"); done
  flags+=(--config.label "org.opencontainers.image.source=operator/target/quarkus-app")
  finish_image operator "$base" "$work/app.tar" "$work" "${flags[@]}"
  rm -rf "$work"
  mark_built operator "$key"
  log "operator: built in $(( $(date +%s) - t0 )) s"
}

build_pause() {
  local key
  key="$(printf '%s\n' "$(script_hash)" "$EPOCH" "$(sha256sum "$PAUSE_SRC" | cut -c1-64)" "$(gcc --version | head -1)" \
    | sha256sum | cut -c1-16)"
  if up_to_date pause "$key"; then
    log "pause: up to date"
    return
  fi
  local t0 work
  t0=$(date +%s)
  mkdir -p "$CACHE/tmp"
  work="$(mktemp -d "$CACHE/tmp/pause.XXXXXX")"
  mkdir -p "$work/app"
  chmod 0755 "$work/app"
  gcc -static -O2 -s -Wall -Wextra -Werror -o "$work/app/pause" "$PAUSE_SRC" || die "cannot compile $PAUSE_SRC (gcc -static needs libc6-dev)"
  "$work/app/pause" -v >/dev/null || die "the pause binary does not run"
  layer_tar "$work/app" "$work/app.tar"
  # Like Kubernetes' pause image: nobody's UID, the binary as entrypoint.
  finish_image pause "" "$work/app.tar" "$work" \
    --config.entrypoint /pause --config.user 65535:65535 --config.workingdir / \
    --config.stopsignal SIGTERM \
    --config.label "org.opencontainers.image.source=e2e/hack/pause/pause.c"
  rm -rf "$work"
  mark_built pause "$key"
  log "pause: built in $(( $(date +%s) - t0 )) s"
}

build() {
  require_tools
  local names=("$@") n
  [ ${#names[@]} -gt 0 ] || names=("${NAMES[@]}")
  for n in "${names[@]}"; do
    case "$n" in reflector|operator|pause) ;; *) die "unknown image $n (known: ${NAMES[*]})" ;; esac
  done
  mkdir -p "$CACHE/tmp" "$OUT"
  # One build at a time per cache: worktrees share the base layers.
  exec 9>"$CACHE/.lock"
  flock 9
  for n in "${names[@]}"; do "build_$n"; done
  for n in "${names[@]}"; do echo "$n $(archive "$n")"; done
}

# The config JSON of a built archive.
image_config() {
  local a m c
  a="$(archive "$1")"
  m="$(tar -xOf "$a" index.json | jq -r '.manifests[0].digest')"
  c="$(tar -xOf "$a" "blobs/sha256/${m#sha256:}" | jq -r '.config.digest')"
  tar -xOf "$a" "blobs/sha256/${c#sha256:}"
}

# Imports every built archive into a private containerd (its own root, state, socket; no CRI
# plugin), the way the node does: `ctr -n k8s.io images import`, once by the archive's own
# name annotation and once with --base-name. Unpacking into the overlayfs snapshotter checks
# every layer against the config's diff_ids. Then runs each image once with runc (`ctr run`):
# the reflector's entrypoint as UID 10001 on a read-only root, the operator's JVM, pause until
# SIGTERM. Then stops containerd and removes what it made (dirs, mounts, cgroups).
import_check() {
  [ "$(id -u)" = 0 ] || die "import-check needs root (containerd)"
  local containerd="${PP_CONTAINERD:-$(command -v containerd || true)}" ctr="${PP_CTR:-$(command -v ctr || true)}"
  [ -x "$containerd" ] && [ -x "$ctr" ] || die "containerd and ctr are missing: run e2e/hack/images.sh provision"
  local n
  for n in "${NAMES[@]}"; do [ -f "$(archive "$n")" ] || die "$(archive "$n") is missing: run e2e/hack/images.sh build"; done
  local dir pid="" cg="pp-images-check-$$" shim_dir_existed=false
  [ -d /run/containerd/s ] && shim_dir_existed=true
  dir="$(mktemp -d /tmp/pp-images-containerd.XXXXXX)"
  # shellcheck disable=SC2317
  cleanup_containerd() {
    local c=("$ctr" --address "$dir/containerd.sock" -n k8s.io) id m h
    if [ -n "$pid" ]; then
      # Containers a failed check left running: their shims would outlive containerd.
      for id in $("${c[@]}" tasks ls -q 2>/dev/null); do
        "${c[@]}" tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true
        sleep 0.2
        "${c[@]}" tasks delete -f "$id" >/dev/null 2>&1 || true
      done
      for id in $("${c[@]}" containers ls -q 2>/dev/null); do "${c[@]}" containers rm "$id" >/dev/null 2>&1 || true; done
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
    # Snapshot mounts left by an interrupted unpack, deepest first.
    for m in $(awk -v d="$dir" 'index($2, d) == 1 { print $2 }' /proc/self/mounts | sort -r); do umount "$m" 2>/dev/null || umount -l "$m" || true; done
    rm -rf "$dir"
    # The containers' cgroups (runc removes its own; the parent is ours), in every hierarchy.
    for h in /sys/fs/cgroup/*/"$cg" /sys/fs/cgroup/"$cg"; do
      [ -d "$h" ] || continue
      find "$h" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null || true
      rmdir "$h" 2>/dev/null || true
    done
    # containerd 1.6 puts shim sockets under /run/containerd/s whatever its state dir; remove
    # that directory only if this check made it and nothing else uses it.
    if [ "$shim_dir_existed" = false ]; then rmdir /run/containerd/s /run/containerd 2>/dev/null || true; fi
  }
  trap cleanup_containerd EXIT
  cat > "$dir/config.toml" <<EOF
version = 2
root = "$dir/root"
state = "$dir/state"
# Images only: no CRI, no /opt/containerd, nothing that tracks or listens elsewhere.
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.internal.v1.opt", "io.containerd.internal.v1.tracing", "io.containerd.tracing.processor.v1.otlp", "io.containerd.nri.v1.nri", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs"]
[grpc]
  address = "$dir/containerd.sock"
[ttrpc]
  address = "$dir/containerd.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
EOF
  local t0
  t0=$(date +%s)
  "$containerd" --config "$dir/config.toml" > "$dir/containerd.log" 2>&1 &
  pid=$!
  local deadline=$(( $(date +%s) + 30 ))
  until "$ctr" --address "$dir/containerd.sock" version >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || die "containerd exited: $(tail -5 "$dir/containerd.log")"
    [ "$(date +%s)" -lt "$deadline" ] || die "containerd did not answer within 30 s: $(tail -5 "$dir/containerd.log")"
    sleep 0.2
  done
  log "containerd $("$ctr" --address "$dir/containerd.sock" version | awk '/Server:/{s=1} s && /Version:/{print $2; exit}') up in $dir"
  local c=("$ctr" --address "$dir/containerd.sock" -n k8s.io)
  for n in "${NAMES[@]}"; do
    "${c[@]}" images import "$(archive "$n")" >&2 || die "ctr images import $(archive "$n") failed"
  done
  local listed
  listed="$("${c[@]}" images ls -q)"
  for n in "${NAMES[@]}"; do
    grep -qxF "$PREFIX/$n:$TAG" <<<"$listed" || die "$PREFIX/$n:$TAG not listed after import: $listed"
  done
  "${c[@]}" images rm "$PREFIX/pause:$TAG" >/dev/null
  "${c[@]}" images import --base-name "$PREFIX/pause" "$(archive pause)" >&2 || die "import --base-name failed"
  "${c[@]}" images ls -q | grep -qxF "$PREFIX/pause:$TAG" || die "--base-name did not name $PREFIX/pause:$TAG"
  # Unpacked into the snapshotter: every layer matched its diff_id.
  for n in "${NAMES[@]}"; do
    "${c[@]}" images check "name==$PREFIX/$n:$TAG" | tee /dev/stderr | grep -qE 'complete .* true[[:space:]]*$' || die "$n is not complete and unpacked"
  done
  "${c[@]}" images ls >&2

  # Run them with runc as containers (no CRI), runc state and FIFOs under $dir.
  local run=("${c[@]}" run --rm --runc-root "$dir/runc" --fifo-dir "$dir/fifo")
  local ep=() out
  # The reflector: its entrypoint with --version, as its user, read-only root, tmpfs where the
  # operator's pods mount emptyDirs (/tmp, the state directory).
  mapfile -t ep < <(image_config reflector | jq -r '.config.Entrypoint[]')
  local user workdir
  user="$(image_config reflector | jq -r .config.User)"; workdir="$(image_config reflector | jq -r .config.WorkingDir)"
  out="$("${run[@]}" --read-only --cgroup "/$cg/reflector" \
    --mount "type=tmpfs,src=tmpfs,dst=/tmp,options=rw:nosuid:nodev" \
    --mount "type=tmpfs,src=tmpfs,dst=$workdir,options=rw:nosuid:nodev" \
    "$PREFIX/reflector:$TAG" pp-check-reflector "${ep[@]}" --version 2>&1)" || die "the reflector image did not run: $out"
  log "reflector container: $out"
  out="$("${run[@]}" --read-only --cgroup "/$cg/reflector-id" "$PREFIX/reflector:$TAG" pp-check-reflector-id \
    sh -c 'id -u; id -g; pwd; iperf3 --version | head -1' 2>&1)" || die "the reflector image did not run sh: $out"
  [ "$(printf '%s\n' "$out" | sed -n '1p'):$(printf '%s\n' "$out" | sed -n '2p')" = "$user" ] \
    && [ "$(printf '%s\n' "$out" | sed -n '3p')" = "$workdir" ] || die "reflector container: want $user in $workdir, got: $out"
  log "reflector container: uid:gid $user, cwd $workdir, $(printf '%s\n' "$out" | sed -n '4p')"
  # The operator: its JVM with the image's options, read-only root, tmpfs /tmp (the chart's emptyDir).
  mapfile -t ep < <(image_config operator | jq -r '.config.Entrypoint[]')
  out="$("${run[@]}" --read-only --cgroup "/$cg/operator" --mount "type=tmpfs,src=tmpfs,dst=/tmp,options=rw:nosuid:nodev" \
    "$PREFIX/operator:$TAG" pp-check-operator "${ep[@]:0:${#ep[@]}-2}" -version 2>&1)" || die "the operator image did not run: $out"
  log "operator container: $(printf '%s\n' "$out" | head -1)"
  # The operator itself, with the environment the chart's Deployment gives it, until Quarkus
  # has started its controllers (no API server is reachable from the container's own network
  # namespace, so it goes no further); then SIGTERM.
  "${run[@]}" --read-only --cgroup "/$cg/operator-start" --mount "type=tmpfs,src=tmpfs,dst=/tmp,options=rw:nosuid:nodev" \
    --env QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL=https://127.0.0.1:1 --env QUARKUS_MANAGEMENT_PORT=9000 \
    --env POD_NAMESPACE=pp-images-check --env POD_NAME=pp-check-operator-start --env QUARKUS_LOG_LEVEL=INFO \
    "$PREFIX/operator:$TAG" pp-check-operator-start > "$dir/operator.out" 2>&1 &
  local ro=$! deadline started stopped
  started=$(date +%s)
  deadline=$(( started + 90 ))
  until grep -q 'Starting operator' "$dir/operator.out"; do
    kill -0 "$ro" 2>/dev/null || die "the operator exited before starting: $(tail -20 "$dir/operator.out")"
    [ "$(date +%s)" -lt "$deadline" ] || die "the operator did not start within 90 s: $(tail -20 "$dir/operator.out")"
    sleep 0.3
  done
  started=$(( $(date +%s) - started ))
  stopped=$(date +%s)
  "${c[@]}" tasks kill -s SIGTERM pp-check-operator-start >/dev/null 2>&1 || true
  # With no API server, its shutdown waits for the informers' retries (about 20 s measured);
  # this check does not wait for that.
  local stop_note="stopped by SIGTERM"
  for i in $(seq 1 25); do kill -0 "$ro" 2>/dev/null || break; sleep 0.2; done
  if kill -0 "$ro" 2>/dev/null; then
    stop_note="still stopping 5 s after SIGTERM (no API server), SIGKILLed"
    "${c[@]}" tasks kill -s SIGKILL pp-check-operator-start >/dev/null 2>&1 || true
  fi
  wait "$ro" || true
  stopped=$(( $(date +%s) - stopped ))
  ! grep -qi 'read-only file system' "$dir/operator.out" || die "the operator wrote to its read-only root: $(grep -i 'read-only file system' "$dir/operator.out" | head -3)"
  log "operator container: Quarkus started its controllers on a read-only root ($(grep -c 'Registered reconciler' "$dir/operator.out") reconcilers registered) in $started s; $stop_note ($stopped s)"
  # pause: runs until SIGTERM, then exits 0 (ctr run returns the task's exit status).
  "${run[@]}" --read-only --cgroup "/$cg/pause" "$PREFIX/pause:$TAG" pp-check-pause > "$dir/pause.out" 2>&1 &
  local rp=$! i
  for i in $(seq 1 100); do
    "${c[@]}" tasks ls 2>/dev/null | grep -q '^pp-check-pause .*RUNNING' && break
    kill -0 "$rp" 2>/dev/null || die "pause exited early: $(cat "$dir/pause.out")"
    sleep 0.1
  done
  sleep 0.3
  kill -0 "$rp" 2>/dev/null || die "pause did not keep running: $(cat "$dir/pause.out")"
  "${c[@]}" tasks kill -s SIGTERM pp-check-pause
  local status=0
  wait "$rp" || status=$?
  [ "$status" = 0 ] || die "pause exited with status $status after SIGTERM: $(cat "$dir/pause.out")"
  log "pause container: ran until SIGTERM, exit status 0"

  cleanup_containerd
  trap - EXIT
  pid=""
  [ -z "$(awk -v d="$dir" 'index($2, d) == 1' /proc/self/mounts)" ] && [ ! -e "$dir" ] || die "leftovers under $dir"
  [ -z "$(ls -d /sys/fs/cgroup/*/"$cg" /sys/fs/cgroup/"$cg" 2>/dev/null)" ] || die "leftover cgroups $cg"
  [ -z "$(ps -eo args | grep -F -- "$dir/containerd.sock" | grep -v grep || true)" ] || die "leftover processes using $dir"
  log "import-check OK in $(( $(date +%s) - t0 )) s: all images imported, unpacked and run; containerd stopped, $dir, cgroups removed"
}

# Imports every archive into a running containerd (the node's): ctr --address <socket> -n <ns>.
import_into() {
  local address="${1:-}" namespace="${2:-k8s.io}" ctr="${PP_CTR:-$(command -v ctr || true)}" n
  [ -n "$address" ] || die "usage: images.sh import <containerd socket> [namespace, default k8s.io]"
  [ -S "$address" ] || die "$address is not a socket"
  [ -x "$ctr" ] || die "ctr is missing (PP_CTR names one): run e2e/hack/images.sh provision"
  for n in "${NAMES[@]}"; do
    [ -f "$(archive "$n")" ] || die "$(archive "$n") is missing: run e2e/hack/images.sh build"
    "$ctr" --address "$address" -n "$namespace" images import "$(archive "$n")" >&2 \
      || die "ctr images import $(archive "$n") failed"
    echo "$n $PREFIX/$n:$TAG"
  done
}

case "${1:-}" in
  provision) provision ;;
  import) shift; import_into "$@" ;;
  build) shift; build "$@" ;;
  import-check) import_check ;;
  paths) for n in "${NAMES[@]}"; do echo "$n $(archive "$n")"; done ;;
  refs) for n in "${NAMES[@]}"; do echo "$n $PREFIX/$n:$TAG"; done ;;
  *) echo "usage: $0 provision | build [reflector|operator|pause ...] | paths | refs | import <socket> [namespace] | import-check" >&2; exit 2 ;;
esac
