package io.packetparamedic.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetparamedic.e2e.harness.Await;
import io.packetparamedic.e2e.harness.KubeCluster;
import io.packetparamedic.e2e.harness.KubeTestCluster;
import io.packetparamedic.e2e.harness.KubectlResult;
import io.packetparamedic.e2e.harness.TestNamespace;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What {@code kubectl get} and {@code kubectl explain} print for the three kinds, with the real
 * kubectl against the harness API server and the CRDs from crds/. The status is written the way
 * the operator writes it (the status subresource); no operator runs here, so nothing else
 * changes it.
 */
@KubeCluster
class CrdPrinterColumnsTest {

    static final String ENDPOINT_ID = "PP-7DN2-FF6E-PTJ2-TRN3-N382-MVRD-EDJK-45BQ-3QH4-79HT-R14A-32TS-V8MG-K";
    static final String SHORT_ID = "PP-7DN2-FF6E…";

    static void create(KubeTestCluster cluster, TestNamespace ns, String kind, String name, String spec) {
        cluster.kubectlWithInput(
                        "apiVersion: packetparamedic.io/v1alpha1\nkind: " + kind + "\n" + "metadata: {name: " + name
                                + "}\nspec: " + spec + "\n",
                        "create",
                        "-n",
                        ns.name(),
                        "-f",
                        "-")
                .orThrow();
    }

    static void patchStatus(
            KubeTestCluster cluster, TestNamespace ns, String resource, String name, String statusJson) {
        cluster.kubectl(
                        "patch",
                        resource,
                        name,
                        "-n",
                        ns.name(),
                        "--subresource=status",
                        "--type=merge",
                        "-p",
                        "{\"status\": " + statusJson + "}")
                .orThrow();
    }

    static String readyCondition(String status, String reason) {
        return "{\"type\": \"Ready\", \"status\": \"" + status + "\", \"reason\": \"" + reason + "\","
                + " \"message\": \"one line\", \"lastTransitionTime\": \"2026-01-01T00:00:00Z\"}";
    }

    /** The cell of a row under a header column, by the column's position (empty cells included). */
    static String cell(KubectlResult get, String name, String column) {
        String header = get.stdout().lines().findFirst().orElseThrow();
        List<String> columns = header(get);
        int i = columns.indexOf(column);
        int start = header.indexOf(column);
        int end = i + 1 < columns.size() ? header.indexOf(columns.get(i + 1), start) : Integer.MAX_VALUE;
        String row = get.stdout()
                .lines()
                .filter(l -> l.startsWith(name + " "))
                .findFirst()
                .orElseThrow();
        return row.substring(Math.min(start, row.length()), Math.min(end, row.length()))
                .trim();
    }

    static List<String> header(KubectlResult get) {
        return Arrays.asList(
                get.stdout().lines().findFirst().orElseThrow().trim().split("\\s{2,}"));
    }

    @Test
    void reflectorInstanceShowsTheShortIdReadyAndReasonAndTheFullIdWhenWide(KubeTestCluster cluster, TestNamespace ns) {
        create(cluster, ns, "ReflectorInstance", "edge", "{}");
        patchStatus(
                cluster,
                ns,
                "reflectorinstance",
                "edge",
                "{\"endpointId\": \"" + ENDPOINT_ID + "\","
                        + " \"shortEndpointId\": \"" + SHORT_ID
                        + "\", \"address\": \"192.0.2.10:4000\", \"authorizedPeers\": 2,"
                        + " \"activeSessionCount\": 1, \"phase\": \"Progressing\", \"ready\": \"False\","
                        + " \"conditions\": [" + readyCondition("False", "AwaitingHeartbeat") + "]}");

        KubectlResult get =
                cluster.kubectl("get", "reflectors", "-n", ns.name()).orThrow();
        assertThat(header(get))
                .containsExactly("NAME", "ENDPOINT ID", "READY", "REASON", "ADDRESS", "PEERS", "ACTIVE", "AGE");
        assertThat(get.tableRow("edge"))
                .containsEntry("ENDPOINT ID", SHORT_ID)
                .containsEntry("READY", "False")
                .containsEntry("REASON", "AwaitingHeartbeat")
                .containsEntry("ADDRESS", "192.0.2.10:4000")
                .containsEntry("PEERS", "2")
                .containsEntry("ACTIVE", "1");
        assertThat(get.stdout()).as("the default table").doesNotContain(ENDPOINT_ID);
        assertThat(get.stdout().lines())
                .as("the default table's lines")
                .allSatisfy(line ->
                        assertThat(line.codePointCount(0, line.length())).isLessThanOrEqualTo(100));
        System.err.println("[crd-columns] kubectl get reflectors:\n" + get.stdout());

        KubectlResult wide = cluster.kubectl("get", "reflectors", "-n", ns.name(), "-o", "wide")
                .orThrow();
        assertThat(header(wide))
                .containsExactly(
                        "NAME",
                        "ENDPOINT ID",
                        "READY",
                        "REASON",
                        "ADDRESS",
                        "PEERS",
                        "ACTIVE",
                        "PHASE",
                        "FULL ENDPOINT ID",
                        "AGE");
        assertThat(wide.tableRow("edge"))
                .containsEntry("PHASE", "Progressing")
                .containsEntry("FULL ENDPOINT ID", ENDPOINT_ID);
        System.err.println("[crd-columns] kubectl get reflectors -o wide:\n" + wide.stdout());

        // A PerNode fleet: READY counts its nodes.
        create(cluster, ns, "ReflectorInstance", "fleet", "{\"placement\": {\"mode\": \"PerNode\"}}");
        patchStatus(
                cluster,
                ns,
                "reflectorinstance",
                "fleet",
                "{\"ready\": \"1/2\", \"conditions\": [" + readyCondition("False", "HeartbeatStale") + "]}");
        KubectlResult fleet =
                cluster.kubectl("get", "reflectors", "-n", ns.name()).orThrow();
        // The fleet has no single Endpoint ID, so its row has empty cells: read cells by the header's columns.
        assertThat(cell(fleet, "fleet", "READY")).isEqualTo("1/2");
        assertThat(cell(fleet, "fleet", "REASON")).isEqualTo("HeartbeatStale");
        assertThat(cell(fleet, "edge", "READY")).isEqualTo("False");
    }

    @Test
    void authorizedPeerShowsItsStateSoADisabledPeerDoesNotLookLikeAWorkingOne(
            KubeTestCluster cluster, TestNamespace ns) {
        create(
                cluster,
                ns,
                "AuthorizedPeer",
                "kitchen",
                "{endpointId: " + ENDPOINT_ID + ", reflectorRef: {name: edge}, disabled: true}");
        patchStatus(
                cluster,
                ns,
                "authorizedpeer",
                "kitchen",
                "{\"shortEndpointId\": \"" + SHORT_ID + "\", \"state\": \"Disabled\","
                        + " \"conditions\": [" + readyCondition("False", "Disabled") + ","
                        + " {\"type\": \"Valid\", \"status\": \"True\", \"reason\": \"CheckSymbolMatches\", \"message\": \"ok\","
                        + " \"lastTransitionTime\": \"2026-01-01T00:00:00Z\"}]}");

        KubectlResult get =
                cluster.kubectl("get", "authorizedpeers", "-n", ns.name()).orThrow();
        assertThat(header(get))
                .containsExactly("NAME", "ENDPOINT ID", "REFLECTOR", "STATE", "READY", "REASON", "LAST SEEN", "AGE");
        assertThat(get.tableRow("kitchen"))
                .containsEntry("ENDPOINT ID", SHORT_ID)
                .containsEntry("REFLECTOR", "edge")
                .containsEntry("STATE", "Disabled")
                .containsEntry("READY", "False")
                .containsEntry("REASON", "Disabled");
        assertThat(get.stdout()).doesNotContain(ENDPOINT_ID);

        KubectlResult wide = cluster.kubectl("get", "authorizedpeers", "-n", ns.name(), "-o", "wide")
                .orThrow();
        assertThat(header(wide))
                .containsExactly(
                        "NAME",
                        "ENDPOINT ID",
                        "REFLECTOR",
                        "STATE",
                        "READY",
                        "REASON",
                        "VALID",
                        "LAST SEEN",
                        "FULL ENDPOINT ID",
                        "AGE");
        assertThat(wide.tableRow("kitchen")).containsEntry("VALID", "True");
        // LAST SEEN is empty here; the full ID is the only one of its kind.
        assertThat(wide.stdout()).contains(ENDPOINT_ID);
        System.err.println("[crd-columns] kubectl get authorizedpeers, and -o wide:\n" + get.stdout() + wide.stdout());
    }

    @Test
    void pairingWindowPrintsItsExpiryTimeBeforeAndAfterExpiry(KubeTestCluster cluster, TestNamespace ns)
            throws Exception {
        create(cluster, ns, "PairingWindow", "new-appliance", "{reflectorRef: {name: edge}, ttl: 10m}");
        Instant expiresAt = Instant.now().plusSeconds(3).truncatedTo(ChronoUnit.SECONDS);
        patchStatus(
                cluster,
                ns,
                "pairingwindow",
                "new-appliance",
                "{\"phase\": \"Open\", \"expiresAt\": \"" + expiresAt + "\","
                        + " \"codeSecret\": \"new-appliance-code\", \"conditions\": ["
                        + readyCondition("True", "CodeLive") + "]}");

        KubectlResult before =
                cluster.kubectl("get", "pairingwindows", "-n", ns.name()).orThrow();
        assertThat(Instant.now()).as("still before the expiry when kubectl ran").isBefore(expiresAt);
        assertThat(header(before))
                .containsExactly("NAME", "REFLECTOR", "PHASE", "READY", "REASON", "EXPIRES AT", "PAIRED PEER", "AGE");
        Map<String, String> row = before.tableRow("new-appliance");
        assertThat(row)
                .containsEntry("EXPIRES AT", expiresAt.toString())
                .containsEntry("PHASE", "Open")
                .containsEntry("READY", "True")
                .containsEntry("REASON", "CodeLive");
        assertThat(before.stdout()).doesNotContain("<invalid>");

        Await.until(
                Duration.ofSeconds(10),
                "the window's expiry to pass",
                () -> Instant.now().isAfter(expiresAt));
        KubectlResult after =
                cluster.kubectl("get", "pairingwindows", "-n", ns.name()).orThrow();
        assertThat(after.tableRow("new-appliance")).containsEntry("EXPIRES AT", expiresAt.toString());
        assertThat(after.stdout()).doesNotContain("<invalid>");
        System.err.println("[crd-columns] kubectl get pairingwindows before and after expiry:\n" + before.stdout()
                + after.stdout());

        KubectlResult wide = cluster.kubectl("get", "pairingwindows", "-n", ns.name(), "-o", "wide")
                .orThrow();
        assertThat(header(wide)).contains("CODE SECRET");
        assertThat(wide.stdout()).contains("new-appliance-code");
    }

    @Test
    void kubectlExplainTeachesTheFields(KubeTestCluster cluster) throws Exception {
        // The API server publishes a new CRD's OpenAPI a moment after it is Established.
        String quotas = Await.until(Duration.ofSeconds(30), "kubectl explain to know the CRDs", () -> {
            KubectlResult r = cluster.kubectl("explain", "reflectorinstance.spec.quotas");
            return r.succeeded() ? r.stdout() : null;
        });
        System.err.println("[crd-columns] kubectl explain reflectorinstance.spec.quotas:\n" + quotas);
        assertThat(unwrapped(quotas))
                .contains(
                        "Limits on what peers may run",
                        "maxTestsPerHourPerPeer",
                        "Tests one peer may start per hour",
                        "Default: 10.",
                        "cooldownSec",
                        "Seconds a peer must wait after a test");
        assertThat(explain(cluster, "reflectorinstance.spec.network.healthPort"))
                .contains("Must differ from controlPort and lie outside dataPortRange", "Default: 7301.");
        assertThat(explain(cluster, "reflectorinstance.status.conditions.reason"))
                .contains("CamelCase");
        assertThat(explain(cluster, "pairingwindow.spec.ttl"))
                .contains("Go-style duration", "1h30m", "at most 7d", "Default: 10m.");
        assertThat(explain(cluster, "authorizedpeer.status.state"))
                .contains(
                        "ENUM: Active Disabled Expired Invalid NoReflector Pending",
                        "Pending (selected, not yet applied)");
    }

    /** kubectl explain's output with its line wrapping undone. */
    static String explain(KubeTestCluster cluster, String path) {
        return unwrapped(cluster.kubectl("explain", path).orThrow().stdout());
    }

    static String unwrapped(String text) {
        return text.replaceAll("\\s+", " ");
    }
}
