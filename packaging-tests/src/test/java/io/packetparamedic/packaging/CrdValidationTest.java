package io.packetparamedic.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetparamedic.e2e.harness.KubeCluster;
import io.packetparamedic.e2e.harness.KubeTestCluster;
import io.packetparamedic.e2e.harness.KubectlResult;
import io.packetparamedic.e2e.harness.Repo;
import io.packetparamedic.e2e.harness.TestNamespace;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The CRDs' validation (OpenAPI schema, defaults and CEL rules from crds/, which the harness
 * installed) on a real kube-apiserver: each object the reflector could not run with is refused
 * with its one-line message, before the operator ever sees it, and valid objects still apply.
 */
@KubeCluster
class CrdValidationTest {

    private static final String ENDPOINT_ID = "PP-7DN2-FF6E-PTJ2-TRN3-N382-MVRD-EDJK-45BQ-3QH4-79HT-R14A-32TS-V8MG-K";

    static String instance(String spec) {
        return "apiVersion: packetparamedic.io/v1alpha1\nkind: ReflectorInstance\n"
                + "metadata: {name: candidate}\nspec: " + spec + "\n";
    }

    static String peer(String spec) {
        return "apiVersion: packetparamedic.io/v1alpha1\nkind: AuthorizedPeer\n" + "metadata: {name: candidate}\nspec: "
                + spec + "\n";
    }

    static String window(String spec) {
        return "apiVersion: packetparamedic.io/v1alpha1\nkind: PairingWindow\n" + "metadata: {name: candidate}\nspec: "
                + spec + "\n";
    }

    static KubectlResult apply(KubeTestCluster cluster, TestNamespace ns, String yaml) {
        return cluster.kubectlWithInput(
                yaml, "apply", "--server-side", "--field-manager=crd-validation-test", "-n", ns.name(), "-f", "-");
    }

    static void assertRejected(KubeTestCluster cluster, TestNamespace ns, String yaml, String message) {
        KubectlResult result = apply(cluster, ns, yaml);
        assertThat(result.exitCode()).as("applying\n%s\n%s", yaml, result).isNotZero();
        assertThat(result.stderr()).as("%s", result).contains(message);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
      # the health port's default (7301) is filled in before the rules run
      {network: {controlPort: 7301}}                                     | spec.network.healthPort must differ from controlPort
      {network: {controlPort: 4100, healthPort: 4100}}                   | spec.network.healthPort must differ from controlPort
      # inside the default data range 5201-5299
      {network: {controlPort: 5250}}                                     | spec.network.dataPortRange must not contain controlPort
      {network: {dataPortRange: {start: 4000, end: 4010}}}               | spec.network.dataPortRange must not contain controlPort
      {network: {healthPort: 5299}}                                      | spec.network.dataPortRange must not contain healthPort
      {network: {dataPortRange: {start: 5299, end: 5201}}}               | dataPortRange.start must be <= dataPortRange.end
      {network: {controlPort: 70000}}                                    | should be less than or equal to 65535
      # maxStreams defaults to 8
      {iperf3: {defaultStreams: 10}}                                     | iperf3.defaultStreams must be <= iperf3.maxStreams
      {iperf3: {defaultStreams: 4, maxStreams: 2}}                       | iperf3.defaultStreams must be <= iperf3.maxStreams
      {quotas: {maxTestDurationSec: 0}}                                  | should be greater than or equal to 1
      # the standalone reflector refuses zero limits too (allowThroughput/allowUdpEcho say 'none' plainly)
      {quotas: {maxTestsPerHourPerPeer: 0}}                              | should be greater than or equal to 1
      {quotas: {maxConcurrentTests: 0}}                                  | should be greater than or equal to 1
      {quotas: {maxBytesPerDayPerPeer: 0}}                               | should be greater than or equal to 1
      {quotas: {maxConcurrentTests: 3000000000}}                         | should be less than or equal to 2147483647
      {network: {advertisedAddress: '192.0.2.10:4000'}}                  | spec.network.advertisedAddress must be a host name or IP address without a port
      {network: {advertisedAddress: 'reflector.example.net:4000'}}       | spec.network.advertisedAddress must be a host name or IP address without a port
      {network: {advertisedAddress: '[2001:db8::1]:4000'}}               | spec.network.advertisedAddress must be a host name or IP address without a port
      {logLevel: verbose}                                                | supported values: "debug", "error", "info", "trace", "warn"
      {identity: {existingSecret: {name: My_Secret}}}                    | should match
      {placement: {mode: PerNode, maxNodes: 0}}                          | should be greater than or equal to 1
      {placement: {maxNodes: 2}}                                         | spec.placement.nodeSelector, tolerations and maxNodes apply only to mode PerNode
      {placement: {mode: Single, nodeSelector: {role: edge}}}            | spec.placement.nodeSelector, tolerations and maxNodes apply only to mode PerNode
      {placement: {mode: PerNode}, nodeSelector: {role: edge}}           | spec.nodeSelector, tolerations and affinity apply only to Single
      {placement: {mode: PerNode}, identity: {existingSecret: {name: s}}} | each node of a PerNode instance gets its own generated identity
      {placement: {mode: Everywhere}}                                    | supported values: "PerNode", "Single"
      """)
    void instanceRejected(String spec, String message, KubeTestCluster cluster, TestNamespace ns) {
        assertRejected(cluster, ns, instance(spec), message);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
      {endpointId: PP-7DN2-FF6E-PTJ2-TRN3-N382-MVRD-EDJK-45BQ-3QH4-79HT-R14A-32TS-V8MG-K}                                           | exactly one of reflectorRef and reflectorSelector must be set
      {endpointId: PP-7DN2-FF6E-PTJ2-TRN3-N382-MVRD-EDJK-45BQ-3QH4-79HT-R14A-32TS-V8MG-K, reflectorRef: {name: edge}, reflectorSelector: {}} | exactly one of reflectorRef and reflectorSelector must be set
      {endpointId: PP-7DN2, reflectorRef: {name: edge}}                                                                              | should match
      {endpointId: PP-7DN2-FF6E-PTJ2-TRN3-N382-MVRD-EDJK-45BQ-3QH4-79HT-R14A-32TS-V8MG-K, reflectorRef: {name: Edge}}                | should match
      """)
    void peerRejected(String spec, String message, KubeTestCluster cluster, TestNamespace ns) {
        assertRejected(cluster, ns, peer(spec), message);
    }

    @ParameterizedTest(name = "ttl {0}")
    @CsvSource(delimiter = '|', textBlock = """
      90 minutes | spec.ttl in body should match
      1.5h       | spec.ttl in body should match
      30m1h      | spec.ttl in body should match
      0s         | spec.ttl must be more than 0s and at most 7d
      0d0h       | spec.ttl must be more than 0s and at most 7d
      8d         | spec.ttl must be more than 0s and at most 7d
      7d1s       | spec.ttl must be more than 0s and at most 7d
      169h       | spec.ttl must be more than 0s and at most 7d
      """)
    void windowTtlRejected(String ttl, String message, KubeTestCluster cluster, TestNamespace ns) {
        assertRejected(cluster, ns, window("{reflectorRef: {name: edge}, ttl: '" + ttl + "'}"), message);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
      {reflectorRef: {name: edge}, peerTemplate: {name: Kitchen}}                           | should match
      {ttl: 10m}                                                                            | spec.reflectorRef: Required value
      """)
    void windowRejected(String spec, String message, KubeTestCluster cluster, TestNamespace ns) {
        assertRejected(cluster, ns, window(spec), message);
    }

    @Test
    void windowTtlTakesGoStyleDurationsAndDefaultsToTenMinutes(KubeTestCluster cluster, TestNamespace ns) {
        for (String ttl : List.of("1h30m", "90s", "2h", "1d", "1m30s", "7d", "1d23h59m59s")) {
            KubectlResult result = apply(cluster, ns, window("{reflectorRef: {name: edge}, ttl: '" + ttl + "'}"));
            assertThat(result.exitCode()).as("ttl %s: %s", ttl, result).isZero();
            assertThat(cluster.kubectl(
                                    "get", "pairingwindow", "candidate", "-n", ns.name(), "-o", "jsonpath={.spec.ttl}")
                            .orThrow()
                            .stdout())
                    .isEqualTo(ttl);
        }
        cluster.kubectlWithInput(
                        window("{reflectorRef: {name: edge}}").replace("candidate", "defaulted"),
                        "create",
                        "-n",
                        ns.name(),
                        "-f",
                        "-")
                .orThrow();
        assertThat(cluster.kubectl("get", "pairingwindow", "defaulted", "-n", ns.name(), "-o", "jsonpath={.spec.ttl}")
                        .orThrow()
                        .stdout())
                .isEqualTo("10m");
    }

    @Test
    void theSamplesApply(KubeTestCluster cluster, TestNamespace ns) {
        for (String sample : List.of("reflectorinstance", "authorizedpeer", "pairingwindow")) {
            String yaml = Repo.read(Repo.path("config/samples/" + sample + ".yaml"));
            KubectlResult result = apply(cluster, ns, yaml);
            assertThat(result.exitCode())
                    .as("config/samples/%s.yaml: %s", sample, result)
                    .isZero();
        }
    }

    @Test
    void theApiServerFillsInTheReflectorsDefaults(KubeTestCluster cluster, TestNamespace ns) {
        apply(
                        cluster,
                        ns,
                        instance(
                                "{network: {controlPort: 4100}, quotas: {maxTestsPerHourPerPeer: 3}, iperf3: {maxStreams: 2}}"))
                .orThrow();
        String spec = cluster.kubectl(
                        "get",
                        "reflectorinstance",
                        "candidate",
                        "-n",
                        ns.name(),
                        "-o",
                        "jsonpath={.spec.network.healthPort} {.spec.network.dataPortRange.start}-{.spec.network.dataPortRange.end}"
                                + " {.spec.network.mode} {.spec.network.hostNetwork} {.spec.quotas.maxTestsPerHourPerPeer}"
                                + " {.spec.quotas.maxTestDurationSec} {.spec.iperf3.maxStreams} {.spec.iperf3.defaultStreams}")
                .orThrow()
                .stdout();
        // defaultStreams stays absent: the operator makes it min(4, maxStreams) = 2.
        assertThat(spec).isEqualTo("7301 5201-5299 tunneled true 3 60 2 ");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"192.0.2.10", "reflector.example.net", "2001:db8::1", "[2001:db8::1]", "::ffff:192.0.2.1"})
    void advertisedAddressTakesAHostOrAnIpAddress(String address, KubeTestCluster cluster, TestNamespace ns) {
        KubectlResult result = apply(cluster, ns, instance("{network: {advertisedAddress: '" + address + "'}}"));
        assertThat(result.exitCode()).as("%s", result).isZero();
    }

    @Test
    void aValidPeerWithASelectorApplies(KubeTestCluster cluster, TestNamespace ns) {
        KubectlResult result = apply(
                cluster, ns, peer("{endpointId: " + ENDPOINT_ID + ", reflectorSelector: {matchLabels: {site: lab}}}"));
        assertThat(result.exitCode()).as("%s", result).isZero();
        assertThat(cluster.kubectl(
                                "get",
                                "authorizedpeer",
                                "candidate",
                                "-n",
                                ns.name(),
                                "-o",
                                "jsonpath={.spec.disabled}")
                        .orThrow()
                        .stdout())
                .isEqualTo("false");
    }
}
