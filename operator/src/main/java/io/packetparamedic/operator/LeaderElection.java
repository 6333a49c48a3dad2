package io.packetparamedic.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaderElectionRecord;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.packetparamedic.api.config.Durations;
import io.quarkus.runtime.Quarkus;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
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
            KubernetesClient client,
            @ConfigProperty(name = "packetparamedic.operator.lease-name", defaultValue = "packetparamedic-operator")
                    String lease,
            @ConfigProperty(name = "packetparamedic.operator.lease-namespace") Optional<String> namespace,
            @ConfigProperty(name = "packetparamedic.operator.lease-duration", defaultValue = "120s")
                    String leaseDuration,
            @ConfigProperty(name = "packetparamedic.operator.lease-renew-deadline", defaultValue = "90s")
                    String renewDeadline,
            @ConfigProperty(name = "packetparamedic.operator.lease-retry-period", defaultValue = "2s")
                    String retryPeriod) {
        // In a pod the downward API provides both; outside a cluster the client's namespace and a
        // random identity keep two local runs from sharing a holder name.
        String identity = Optional.ofNullable(System.getenv("POD_NAME"))
                .orElseGet(() ->
                        Optional.ofNullable(System.getenv("HOSTNAME")).orElse("operator") + "-" + UUID.randomUUID());
        // Far longer than JOSDK's 15 s / 10 s defaults. A replica that cannot renew within the
        // deadline must exit (another may have taken over), and during an API server outage no
        // replica can renew: a 90 s deadline lets the operator ride out outages of about a minute
        // and a half, and a cold start that syncs thousands of objects on a busy node, without a
        // restart. The price is the failover after a crash (up to the 120 s lease; the reflectors
        // keep serving meanwhile, they do not need the operator); a normal stop releases the Lease
        // (release), and a waiting replica, trying every retry period (2 s), takes it within that.
        Optional<String> leaseNamespace = namespace.or(() -> Optional.ofNullable(System.getenv("POD_NAMESPACE")));
        // JOSDK falls back to the client's namespace too (and refuses to elect without one).
        Optional<LeaseLock> lock = leaseNamespace
                .or(() -> Optional.ofNullable(client.getNamespace()))
                .map(ns -> new LeaseLock(ns, lease, identity));
        return new LeaderElectionConfiguration(
                lease,
                leaseNamespace.orElse(null),
                Durations.parse(leaseDuration),
                Durations.parse(renewDeadline),
                Durations.parse(retryPeriod),
                identity,
                new LeaderCallbacks(
                        () -> LOG.infof("event=leadership_acquired identity=%s lease=%s", identity, lease),
                        () -> {
                            lock.ifPresent(l -> release(l, client));
                            leadershipLost();
                        },
                        leader -> LOG.infof("event=leader_observed leader=%s", leader)),
                false);
    }

    /**
     * Gives the Lease up if this replica still holds it, as Fabric8's releaseOnCancel would: JOSDK
     * builds its elector with that off and offers no option, so a restarted or replaced pod would
     * otherwise wait out the whole lease duration (120 s) for its predecessor's Lease. Called when
     * leadership ends, which on a normal shutdown is when quarkus-operator-sdk stops the operator:
     * the elector's loop is cancelled by then (so no renewal follows) and the client not yet
     * closed. After a real loss the Lease names another holder and nothing is written. Same record
     * as Fabric8's own release: no holder, a one-second duration.
     */
    static void release(LeaseLock lock, KubernetesClient client) {
        try {
            LeaderElectionRecord held = lock.get(client);
            if (held == null || !lock.identity().equals(held.getHolderIdentity())) return;
            ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
            lock.update(
                    client, new LeaderElectionRecord("", Duration.ofSeconds(1), now, now, held.getLeaderTransitions()));
            LOG.infof("event=lease_released lease=%s identity=%s", lock.describe(), lock.identity());
        } catch (KubernetesClientException | IllegalStateException e) {
            // Another replica took it meanwhile (a conflict), or the API server or client is gone:
            // either way the Lease expires on its own.
            LOG.warnf("event=lease_release_failed lease=%s reason=%s", lock.describe(), e.getMessage());
        }
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
