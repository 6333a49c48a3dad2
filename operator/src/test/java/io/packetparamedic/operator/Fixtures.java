package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.packetparamedic.api.config.ConfigLoader;
import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.api.crd.FieldManagers;
import io.packetparamedic.api.crd.Labels;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.api.crd.ReflectorInstanceStatus;
import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.e2e.harness.Await;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/** Samples from config/samples and small helpers shared by the integration tests. */
final class Fixtures {
    private Fixtures() {}

    static Path samples() {
        return Path.of(System.getProperty("samples.dir", "../config/samples"));
    }

    static <T extends io.fabric8.kubernetes.api.model.HasMetadata> T sample(
            KubernetesClient client, String file, Class<T> type, String namespace) {
        try (InputStream in = Files.newInputStream(samples().resolve(file))) {
            T r = client.getKubernetesSerialization().unmarshal(in, type);
            r.getMetadata().setNamespace(namespace);
            return r;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static byte[] data(Secret s, String key) {
        return Base64.getDecoder().decode(s.getData().get(key));
    }

    static ReflectorConfig config(KubernetesClient client, String namespace, String secret) {
        Secret s = client.secrets().inNamespace(namespace).withName(secret).get();
        return ConfigLoader.parse(new String(data(s, Labels.CONFIG_KEY), StandardCharsets.UTF_8), secret)
                .config();
    }

    static String toml(KubernetesClient client, String namespace, String secret) {
        Secret s = client.secrets().inNamespace(namespace).withName(secret).get();
        return s == null ? null : new String(data(s, Labels.CONFIG_KEY), StandardCharsets.UTF_8);
    }

    /** What the reflector pod does: applies its own status fields under its own field manager. */
    static void reportHeartbeat(
            KubernetesClient client, ReflectorInstance instance, String endpointId, String heartbeat) {
        reportHeartbeat(client, instance, endpointId, heartbeat, null);
    }

    /** A heartbeat that also says which reflector.toml serves: SHA-256 (hex) of its text, as the pod computes it. */
    static void reportHeartbeat(
            KubernetesClient client,
            ReflectorInstance instance,
            String endpointId,
            String heartbeat,
            String appliedConfigHash) {
        ReflectorInstance patch = new ReflectorInstance();
        patch.getMetadata().setName(instance.getMetadata().getName());
        patch.getMetadata().setNamespace(instance.getMetadata().getNamespace());
        ReflectorInstanceStatus s = new ReflectorInstanceStatus();
        s.lastHeartbeat = heartbeat;
        s.reportedEndpointId = endpointId;
        s.advertisedAddress = "198.51.100.7";
        s.node = "node-a";
        s.activeSessionCount = 1;
        s.testsLastHour = 3;
        s.bytesToday = 12345L;
        s.connectedPeers = 1;
        ReflectorInstanceStatus.ActiveSession session = new ReflectorInstanceStatus.ActiveSession();
        session.testId = "t-1";
        session.peer = endpointId;
        session.type = "throughput";
        session.port = 5201;
        session.started = heartbeat;
        session.expires = heartbeat;
        s.activeSessions = java.util.List.of(session);
        s.appliedConfigHash = appliedConfigHash;
        patch.setStatus(s);
        // Like the pod: server-side apply of its own fields, under its own manager, no GET first.
        client.resource(patch)
                .subresource("status")
                .patch(new PatchContext.Builder()
                        .withPatchType(PatchType.SERVER_SIDE_APPLY)
                        .withFieldManager(FieldManagers.REFLECTOR)
                        .withForce(true)
                        .build());
    }

    /** What the pod reports after applying the config Secret as it is now. */
    static String digestOfConfig(KubernetesClient client, String namespace, String secret) {
        try {
            byte[] toml = data(
                    client.secrets().inNamespace(namespace).withName(secret).get(), Labels.CONFIG_KEY);
            return java.util.HexFormat.of()
                    .formatHex(
                            java.security.MessageDigest.getInstance("SHA-256").digest(toml));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An Endpoint ID with a wrong check symbol: matches the schema pattern, fails EndpointId.parse. */
    static String withWrongCheckSymbol(EndpointId id) {
        String s = id.toString();
        char check = s.charAt(s.length() - 1);
        char other = EndpointId.ALPHABET.charAt((EndpointId.ALPHABET.indexOf(check) + 1) % 32);
        return s.substring(0, s.length() - 1) + other;
    }

    /** A ValidatingAdmissionPolicy and its binding: in one namespace, Secret writes and AuthorizedPeer status writes are refused (403) unless {@code allowed} (CEL) holds. */
    static String refusingPolicy(String namespace, String allowed) {
        return """
                apiVersion: admissionregistration.k8s.io/v1
                kind: ValidatingAdmissionPolicy
                metadata:
                  name: refuse-%1$s
                spec:
                  failurePolicy: Fail
                  matchConstraints:
                    resourceRules:
                    - apiGroups: [""]
                      apiVersions: ["v1"]
                      operations: ["CREATE", "UPDATE"]
                      resources: ["secrets"]
                    - apiGroups: ["packetparamedic.io"]
                      apiVersions: ["*"]
                      operations: ["CREATE", "UPDATE"]
                      resources: ["authorizedpeers/status"]
                  validations:
                  - expression: "%2$s"
                    message: test policy refuses this object
                    reason: Forbidden
                ---
                apiVersion: admissionregistration.k8s.io/v1
                kind: ValidatingAdmissionPolicyBinding
                metadata:
                  name: refuse-%1$s
                spec:
                  policyName: refuse-%1$s
                  validationActions: [Deny]
                  matchResources:
                    namespaceSelector:
                      matchLabels:
                        kubernetes.io/metadata.name: %1$s
                """.formatted(namespace, allowed);
    }

    /**
     * Applies {@link #refusingPolicy} and returns its objects once it is in force: when a dry run
     * of the Secret {@code refusedSecret} is refused.
     */
    static List<HasMetadata> applyRefusingPolicy(
            KubernetesClient client, String namespace, String allowed, String refusedSecret, Duration timeout)
            throws InterruptedException {
        List<HasMetadata> policy = client.load(new java.io.ByteArrayInputStream(
                        refusingPolicy(namespace, allowed).getBytes(StandardCharsets.UTF_8)))
                .items();
        policy.forEach(p -> client.resource(p).serverSideApply());
        Await.until(timeout, "the admission policy in force", () -> {
            try {
                client.secrets()
                        .inNamespace(namespace)
                        .resource(new SecretBuilder()
                                .withNewMetadata()
                                .withName(refusedSecret)
                                .endMetadata()
                                .build())
                        .dryRun()
                        .create();
                return false;
            } catch (KubernetesClientException e) {
                return e.getCode() == 403;
            }
        });
        return policy;
    }
}
