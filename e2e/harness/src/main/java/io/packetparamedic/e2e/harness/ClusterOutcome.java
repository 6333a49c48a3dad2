package io.packetparamedic.e2e.harness;

import java.util.Optional;

/**
 * What starting the selected cluster came to: ready, unavailable in this environment (tests
 * are skipped, e.g. k3s without a container engine), or failed (tests fail). Kept in the
 * JUnit root store for the whole run; closing it stops the cluster.
 */
public final class ClusterOutcome implements AutoCloseable {

    private final KubeTestCluster cluster;
    private final String unavailableReason;
    private final Throwable failure;

    private ClusterOutcome(KubeTestCluster cluster, String unavailableReason, Throwable failure) {
        this.cluster = cluster;
        this.unavailableReason = unavailableReason;
        this.failure = failure;
    }

    static ClusterOutcome ready(KubeTestCluster cluster) {
        return new ClusterOutcome(cluster, null, null);
    }

    static ClusterOutcome unavailable(String reason) {
        return new ClusterOutcome(null, reason, null);
    }

    static ClusterOutcome failed(Throwable failure) {
        return new ClusterOutcome(null, null, failure);
    }

    public Optional<KubeTestCluster> cluster() {
        return Optional.ofNullable(cluster);
    }

    /** Why tests are to be skipped, when they are. */
    public Optional<String> unavailableReason() {
        return Optional.ofNullable(unavailableReason);
    }

    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    @Override
    public void close() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }
}
