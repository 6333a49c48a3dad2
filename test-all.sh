#!/usr/bin/env bash
# The README's second command (and what .ci/run calls): installs what the tests need on a fresh
# Debian machine (iperf3 and friends from Debian's packages; a local Kubernetes control plane,
# helm, kustomize and a STAMP Session-Sender built from upstream sources and cached under
# ~/.cache; the tools that build the container images from Debian's packages), then runs every
# test.
set -euo pipefail
cd "$(dirname "$0")"

export DEBIAN_FRONTEND=noninteractive
need=()
command -v iperf3 >/dev/null 2>&1 || need+=(iperf3)
# The e2e control plane (e2e/hack/control-plane.sh) makes its certificates with openssl.
command -v openssl >/dev/null 2>&1 || need+=(openssl)
# packaging-tests run the Argo CD health scripts in a real Lua 5.1 interpreter.
command -v lua5.1 >/dev/null 2>&1 || need+=(lua5.1)
# The network-namespace e2e tests (e2e/netns) build NAT gateways with nftables, capture with
# tcpdump, configure links with iproute2, and build their impairment helper with gcc.
command -v nft >/dev/null 2>&1 || need+=(nftables)
command -v tcpdump >/dev/null 2>&1 || need+=(tcpdump)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v gcc >/dev/null 2>&1 || need+=(gcc libc6-dev)
# Packages are installed when this runs as root (or with password-less sudo); otherwise it stops
# and prints the exact command to run first.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo "$@"
  else
    echo "test-all.sh: not root; run this first, then test-all.sh again:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${need[*]:-etcd-server}" >&2
    exit 1
  fi
}
if [ ${#need[@]} -gt 0 ]; then
  as_root apt-get update -qq
  as_root apt-get install -y -qq "${need[@]}"
fi
# etcd comes from Debian's etcd-server when that is new enough for the pinned kube-apiserver;
# provision checks the candidate version itself, so the package index must be current.
if ! command -v etcd >/dev/null 2>&1 && [ -z "$(apt-cache policy etcd-server 2>/dev/null | awk '/Candidate:/{print $2}')" ]; then
  as_root apt-get update -qq
fi

# Build (or reuse from ~/.cache/packetparamedic) kube-apiserver, kube-controller-manager,
# kubectl and etcd for the e2e tests. Cached: instant; cold: about 13 minutes on 2 cores.
e2e/hack/control-plane.sh provision
# The e2e node (e2e/node): kubelet, kube-scheduler and kube-proxy from the same module, containerd
# and crictl from the Go module proxy, runc and the CNI plugins from Debian; cached likewise. Cold
# after the control plane: about 5 minutes on 2 cores (docs/testing/node.md).
e2e/hack/node.sh provision
# helm and kustomize for packaging-tests, built from the Go module proxy and cached likewise.
e2e/hack/tools.sh provision
# stamp-suite, the independent STAMP Session-Sender of the reflector's interop tests, built from
# crates.io at a pinned version and cached likewise (docs/testing/stamp-interop.md). Cold: about
# 2 minutes on 2 cores; warm: instant.
e2e/hack/stamp-sender.sh provision
# mmdebstrap, umoci, containerd (and a static libc) from Debian, for the images that
# e2e/hack/images.sh builds without an engine or a registry. The images themselves are built by
# packaging-tests' LocalImagesTest, after the reactor has packaged the reflector and the operator
# (cached under ~/.cache/packetparamedic/images: cold about 2 minutes, warm under a second).
e2e/hack/images.sh provision

./mvnw -B verify
# Everything above provisioned every prerequisite, so no test may have skipped itself: a skip here
# (a missing binary, image or native library) would be a proof not made, passing as green.
e2e/hack/no-skipped-tests.sh
