package io.packetparamedic.e2e.harness;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;

/**
 * The harness's knobs. Each is looked up as a JUnit configuration parameter (which JUnit also
 * resolves from JVM system properties and {@code junit-platform.properties}), then as an
 * environment variable.
 *
 * @param cluster which cluster to use ({@code pp.cluster} / {@code PP_CLUSTER})
 * @param kubeconfig kubeconfig of an existing cluster ({@code pp.kubeconfig} / {@code KUBECONFIG})
 * @param runDir run dir of the local control plane ({@code pp.cp.runDir} / {@code PP_CP_RUN_DIR})
 * @param keepRunning leave the local control plane running after the run ({@code pp.cp.keep})
 * @param k3sImage image of the k3s container ({@code pp.k3s.image} / {@code PP_K3S_IMAGE})
 * @param crdsDir CRD manifests to install ({@code pp.crds.dir}); default {@code <repo>/crds}
 * @param kubectl kubectl binary for non-local clusters ({@code pp.kubectl} / {@code PP_KUBECTL})
 * @param nodeRunDir run dir of the node ({@code pp.node.runDir} / {@code PP_NODE_RUN_DIR})
 * @param nodeImages OCI archives to import into the node, {@code ref=archive,...}
 *     ({@code pp.node.images} / {@code PP_NODE_IMAGES}); default: what e2e/hack/images.sh builds
 * @param buildImages run {@code e2e/hack/images.sh build} before importing ({@code pp.node.buildImages},
 *     default true)
 */
public record HarnessSettings(
        ClusterKind cluster,
        Optional<Path> kubeconfig,
        Optional<Path> runDir,
        boolean keepRunning,
        String k3sImage,
        Optional<Path> crdsDir,
        Optional<Path> kubectl,
        Optional<Path> nodeRunDir,
        Optional<String> nodeImages,
        boolean buildImages) {

    /** Same minor as the local control plane, so both paths see the same API. */
    public static final String DEFAULT_K3S_IMAGE = "rancher/k3s:v1.35.4-k3s1";

    /**
     * @param parameter configuration parameter (and system property) lookup
     * @param env environment lookup
     */
    public static HarnessSettings resolve(Function<String, Optional<String>> parameter, Function<String, String> env) {
        Function<String[], Optional<String>> lookup = keys -> {
            Optional<String> p = parameter.apply(keys[0]).filter(s -> !s.isBlank());
            if (p.isPresent() || keys.length < 2) {
                return p;
            }
            return Optional.ofNullable(env.apply(keys[1])).filter(s -> !s.isBlank());
        };
        ClusterKind kind = ClusterKind.parse(
                lookup.apply(new String[] {"pp.cluster", "PP_CLUSTER"}).orElse(null));
        // KUBECONFIG may be a path list; like kubectl, the first existing entry is what we use.
        Optional<Path> kubeconfig = lookup.apply(new String[] {"pp.kubeconfig", "KUBECONFIG"})
                .map(v -> v.split(java.io.File.pathSeparator)[0])
                .map(Path::of);
        return new HarnessSettings(
                kind,
                kubeconfig,
                lookup.apply(new String[] {"pp.cp.runDir", "PP_CP_RUN_DIR"}).map(Path::of),
                lookup.apply(new String[] {"pp.cp.keep", "PP_CP_KEEP"})
                        .map(Boolean::parseBoolean)
                        .orElse(false),
                lookup.apply(new String[] {"pp.k3s.image", "PP_K3S_IMAGE"}).orElse(DEFAULT_K3S_IMAGE),
                lookup.apply(new String[] {"pp.crds.dir", "PP_CRDS_DIR"}).map(Path::of),
                lookup.apply(new String[] {"pp.kubectl", "PP_KUBECTL"}).map(Path::of),
                lookup.apply(new String[] {"pp.node.runDir", "PP_NODE_RUN_DIR"}).map(Path::of),
                lookup.apply(new String[] {"pp.node.images", "PP_NODE_IMAGES"}),
                lookup.apply(new String[] {"pp.node.buildImages", "PP_NODE_BUILD_IMAGES"})
                        .map(Boolean::parseBoolean)
                        .orElse(true));
    }

    /** From system properties and the process environment only (outside JUnit). */
    public static HarnessSettings fromSystem() {
        return resolve(k -> Optional.ofNullable(System.getProperty(k)), System::getenv);
    }
}
