package io.packetparamedic.operator;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Leader election: replicas of the operator share one Lease and only the holder reconciles.
 * quarkus-operator-sdk picks this bean up in the profiles where leader election is active
 * ({@code quarkus.operator-sdk.activate-leader-election-for-profiles}, prod by default).
 */
public class LeaderElection {

    @Produces
    @Singleton
    LeaderElectionConfiguration leaderElection(
            @ConfigProperty(name = "packetparamedic.operator.lease-name", defaultValue = "packetparamedic-operator") String lease,
            @ConfigProperty(name = "packetparamedic.operator.lease-namespace") Optional<String> namespace) {
        // In a pod the downward API provides both; outside a cluster the client's namespace and a
        // random identity keep two local runs from sharing a holder name.
        String identity = Optional.ofNullable(System.getenv("POD_NAME"))
                .orElseGet(() -> Optional.ofNullable(System.getenv("HOSTNAME")).orElse("operator") + "-" + UUID.randomUUID());
        return new LeaderElectionConfiguration(lease, namespace.or(() -> Optional.ofNullable(System.getenv("POD_NAMESPACE")))
                .orElse(null), identity);
    }
}
