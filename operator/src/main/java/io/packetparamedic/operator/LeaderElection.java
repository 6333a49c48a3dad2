package io.packetparamedic.operator;

import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.quarkus.runtime.Quarkus;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import io.packetparamedic.api.config.Durations;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Leader election: replicas of the operator share one Lease and only the holder reconciles.
 * quarkus-operator-sdk picks this bean up in the profiles where leader election is active
 * ({@code quarkus.operator-sdk.activate-leader-election-for-profiles}, prod by default).
 */
public class LeaderElection {
    private static final Logger LOG = Logger.getLogger(LeaderElection.class);

    @Produces
    @Singleton
    LeaderElectionConfiguration leaderElection(
            @ConfigProperty(name = "packetparamedic.operator.lease-name", defaultValue = "packetparamedic-operator") String lease,
            @ConfigProperty(name = "packetparamedic.operator.lease-namespace") Optional<String> namespace,
            @ConfigProperty(name = "packetparamedic.operator.lease-duration", defaultValue = "30s") String leaseDuration,
            @ConfigProperty(name = "packetparamedic.operator.lease-renew-deadline", defaultValue = "20s") String renewDeadline,
            @ConfigProperty(name = "packetparamedic.operator.lease-retry-period", defaultValue = "4s") String retryPeriod) {
        // In a pod the downward API provides both; outside a cluster the client's namespace and a
        // random identity keep two local runs from sharing a holder name.
        String identity = Optional.ofNullable(System.getenv("POD_NAME"))
                .orElseGet(() -> Optional.ofNullable(System.getenv("HOSTNAME")).orElse("operator") + "-" + UUID.randomUUID());
        // Longer than JOSDK's 15 s / 10 s defaults: on a busy node (or a busy 2-core CI box) a
        // cold start that syncs thousands of objects can starve the renewal, and losing the
        // lease makes the operator exit and start over. The failover delay is the price.
        return new LeaderElectionConfiguration(lease,
                namespace.or(() -> Optional.ofNullable(System.getenv("POD_NAMESPACE"))).orElse(null),
                Durations.parse(leaseDuration), Durations.parse(renewDeadline), Durations.parse(retryPeriod),
                identity, new LeaderCallbacks(
                        () -> LOG.infof("event=leadership_acquired identity=%s lease=%s", identity, lease),
                        LeaderElection::leadershipLost,
                        leader -> LOG.infof("event=leader_observed leader=%s", leader)),
                false);
    }

    /**
     * Losing the lease means another replica may reconcile now, so this one must stop: exit and
     * let the Deployment restart it. JOSDK's own exit-on-stop-leading calls System.exit, which
     * deadlocks when the lease is released during a normal shutdown (inside a shutdown hook);
     * Quarkus.asyncExit exits without blocking and is a no-op while shutting down already.
     */
    static void leadershipLost() {
        LOG.warn("event=leadership_lost action=exit");
        Quarkus.asyncExit(1);
    }
}
