package io.packetparamedic.reflector.kube;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.RequestConfigBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.packetparamedic.api.crd.FieldManagers;
import io.packetparamedic.api.crd.PairingWindow;
import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.api.time.Rfc3339;
import io.packetparamedic.reflector.auth.PairingClaim;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims a PairingWindow for a peer before the reflector accepts its code, so that the nodes of
 * a fleet, which all carry the window's code, accept it once between them. The claim is the
 * window's (pod) status itself, written by a JSON Patch whose first operation tests that no
 * peer is recorded yet: the API server applies a patch to the object's current version and
 * retries it on a write conflict, so of two nodes patching at once the second one's test fails
 * against the first one's write. That is the same {@code patch} on {@code pairingwindows/status}
 * (by name) the pod already has for reporting pairings: no new rights.
 *
 * <p>A window already recorded for the same peer counts as won (the appliance paired on another
 * node and asks again). No answer from the API (unreachable, timed out, refused) accepts
 * nothing: the code stays open and the appliance is told to retry, since accepting without the
 * claim is exactly how a code would be used twice.
 */
final class PairingWindowClaim implements PairingClaim {

    private static final Logger LOG = LoggerFactory.getLogger(PairingWindowClaim.class);
    /** A claim answers within this; the appliance waits for it on its pair_request. */
    static final int REQUEST_TIMEOUT_MS = 5_000;

    private final KubernetesClient client;
    private final String namespace;
    private final Clock clock;

    PairingWindowClaim(KubernetesClient client, String namespace, Clock clock) {
        // One attempt per claim: the client's own retries would hold the appliance for a minute.
        this.client = client.newClient(new RequestConfigBuilder()
                        .withRequestTimeout(REQUEST_TIMEOUT_MS)
                        .withRequestRetryBackoffLimit(0)
                        .build())
                .adapt(KubernetesClient.class);
        this.namespace = namespace;
        this.clock = clock;
    }

    @Override
    public Result claim(EndpointId peer, String window) {
        int slash = window.indexOf('/');
        if (slash < 0 || !window.substring(0, slash).equals(namespace)) {
            // Not a PairingWindow of this instance's namespace: nothing this pod may write.
            LOG.warn("event=pairing_claim_foreign window={}", window);
            return Result.UNAVAILABLE;
        }
        String name = window.substring(slash + 1);
        try {
            patch(name, unclaimed(peer));
            LOG.info("event=pairing_claimed window={} peer={}", window, peer);
            return Result.WON;
        } catch (KubernetesClientException e) {
            if (!testFailed(e)) return unavailable(window, e);
        }
        try {
            patch(name, claimedBy(peer));
            LOG.info("event=pairing_claimed window={} peer={} already=true", window, peer);
            return Result.WON;
        } catch (KubernetesClientException e) {
            if (testFailed(e) || e.getCode() == 404) {
                LOG.info("event=pairing_claim_lost window={} peer={}", window, peer);
                return Result.SPENT;
            }
            return unavailable(window, e);
        }
    }

    private void patch(String name, ArrayNode operations) {
        // Through a stub object: patching by name alone makes the client read the object first,
        // which the pod may not (it has patch on the status, no get).
        PairingWindow stub = new PairingWindow();
        stub.getMetadata().setName(name);
        stub.getMetadata().setNamespace(namespace);
        client.resource(stub)
                .subresource("status")
                .patch(
                        new PatchContext.Builder()
                                .withPatchType(PatchType.JSON)
                                .withFieldManager(FieldManagers.REFLECTOR)
                                .build(),
                        operations.toString());
    }

    /** No peer recorded yet (JSON Patch tests an absent member as null), then this peer and now. */
    private ArrayNode unclaimed(EndpointId peer) {
        ArrayNode ops = JsonNodeFactory.instance.arrayNode();
        ops.addObject()
                .put("op", "test")
                .put("path", "/status/pairedEndpointId")
                .putNull("value");
        ops.addObject().put("op", "add").put("path", "/status/pairedEndpointId").put("value", peer.toString());
        ops.addObject().put("op", "add").put("path", "/status/pairedAt").put("value", Rfc3339.format(clock.instant()));
        return ops;
    }

    /** This very peer recorded already: nothing to change. */
    private static ArrayNode claimedBy(EndpointId peer) {
        ArrayNode ops = JsonNodeFactory.instance.arrayNode();
        ops.addObject()
                .put("op", "test")
                .put("path", "/status/pairedEndpointId")
                .put("value", peer.toString());
        return ops;
    }

    /** The API server answers a failed JSON Patch test with 422 (Unprocessable Entity). */
    private static boolean testFailed(KubernetesClientException e) {
        return e.getCode() == 422;
    }

    private static Result unavailable(String window, KubernetesClientException e) {
        LOG.warn(
                "event=pairing_claim_failed window={} code={} error=\"{}\"",
                window,
                e.getCode(),
                SecretSource.firstLine(e.getMessage()));
        return Result.UNAVAILABLE;
    }
}
