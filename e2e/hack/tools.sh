#!/usr/bin/env bash
# Packaging tools the packaging tests need, built from the Go module proxy at pinned versions
# and cached under ~/.cache (neither is a Debian package here, and there is no image registry).
#
#   tools.sh provision   build helm and kustomize unless the cached binaries are already there
#   tools.sh bin-dir     print the directory holding them
#   tools.sh env         print an export line putting that directory first on PATH
#   tools.sh versions    print the pinned versions
#
# Environment:
#   XDG_CACHE_HOME   cache root (default ~/.cache); binaries under packetparamedic/tools/<tool>-<version>/bin
#   GOFLAGS          passed to go install; default -p=1, because the machine is small and shared
set -euo pipefail

HELM_VERSION="${PP_HELM_VERSION:-v3.22.0}"
# v5.8.3 needs Go 1.27; v5.8.2 builds with the Go 1.26 installed here.
KUSTOMIZE_VERSION="${PP_KUSTOMIZE_VERSION:-v5.8.2}"
TOOLS_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/packetparamedic/tools"
BIN_DIR="${TOOLS_ROOT}/bin"

log() { printf '[tools] %s\n' "$*" >&2; }
die() { printf '[tools] ERROR: %s\n' "$*" >&2; exit 1; }

# Each version gets its own GOBIN, and bin/<tool> links to it, so a version bump rebuilds
# instead of silently reusing an older binary.
install_tool() {
  local name="$1" module="$2" version="$3" ldflags="${4:-}"
  local gobin="${TOOLS_ROOT}/${name}-${version}/bin"
  if [ ! -x "${gobin}/${name}" ]; then
    command -v go >/dev/null 2>&1 || die "go is required to build ${name} ${version}"
    log "building ${name} ${version} from ${module} (cold builds take minutes on 2 cores)"
    mkdir -p "$gobin"
    CGO_ENABLED=0 GOBIN="$gobin" GOFLAGS="${GOFLAGS:--p=1} -trimpath" \
      go install -ldflags "-s -w ${ldflags}" "${module}@${version}" || die "go install of ${module}@${version} failed"
  fi
  mkdir -p "$BIN_DIR"
  ln -sfn "${gobin}/${name}" "${BIN_DIR}/${name}"
}

# Helm's Makefile stamps its version and the Kubernetes version that `helm template` and
# `helm lint` assume (derived from the client-go it builds with); a plain `go install` would
# leave v1.20 there, and charts requiring a newer kubeVersion would not render.
helm_ldflags() {
  local tmp gomod cgo major minor
  tmp="$(mktemp -d)"
  gomod="$( (cd "$tmp" && go mod init tmp >/dev/null 2>&1 && go mod download -json "helm.sh/helm/v3@${HELM_VERSION}") \
    | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p')"
  rm -rf "$tmp"
  [ -f "$gomod" ] || die "cannot download helm.sh/helm/v3@${HELM_VERSION} from the Go proxy"
  cgo="$(awk '$1=="k8s.io/client-go"{print $2; exit}' "$gomod")"   # e.g. v0.37.0
  [ -n "$cgo" ] || die "cannot tell the client-go version of helm ${HELM_VERSION}"
  # Kubernetes staging modules v0.Y.Z belong to Kubernetes 1.Y.
  major=1; minor="${cgo#v0.}"; minor="${minor%%.*}"
  local x="helm.sh/helm/v3"
  printf -- '-X %s/internal/version.version=%s -X %s/internal/version.gitTreeState=clean' "$x" "$HELM_VERSION" "$x"
  printf -- ' -X %s/pkg/lint/rules.k8sVersionMajor=%s -X %s/pkg/lint/rules.k8sVersionMinor=%s' "$x" "$major" "$x" "$minor"
  printf -- ' -X %s/pkg/chartutil.k8sVersionMajor=%s -X %s/pkg/chartutil.k8sVersionMinor=%s' "$x" "$major" "$x" "$minor"
}

case "${1:-}" in
  provision)
    install_tool helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION" "$(helm_ldflags)"
    install_tool kustomize sigs.k8s.io/kustomize/kustomize/v5 "$KUSTOMIZE_VERSION"
    log "helm: $("${BIN_DIR}/helm" version --short 2>/dev/null || echo '?')"
    log "kustomize: $("${BIN_DIR}/kustomize" version 2>/dev/null || echo '?')"
    ;;
  bin-dir) echo "$BIN_DIR" ;;
  env) echo "export PATH=\"${BIN_DIR}:\$PATH\"" ;;
  versions) printf 'helm %s\nkustomize %s\n' "$HELM_VERSION" "$KUSTOMIZE_VERSION" ;;
  *) echo "usage: $0 provision|bin-dir|env|versions" >&2; exit 2 ;;
esac
