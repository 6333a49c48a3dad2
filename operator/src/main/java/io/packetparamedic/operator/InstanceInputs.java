package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.packetparamedic.api.crd.AuthorizedPeer;
import io.packetparamedic.api.crd.Labels;
import io.packetparamedic.api.crd.PairingWindow;
import io.packetparamedic.api.crd.PairingWindowStatus;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.api.pairing.PairingCodes;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.jboss.logging.Logger;

/**
 * What an instance's config is made of besides its spec: the AuthorizedPeers in effect for it
 * and the codes of its open PairingWindows. Peers and windows come from the instance
 * controller's informer caches (no API calls); a code is read from its Secret.
 */
public final class InstanceInputs {
    private static final Logger LOG = Logger.getLogger(InstanceInputs.class);

    private InstanceInputs() {}

    @SuppressWarnings("unchecked")
    public static List<AuthorizedPeer> peersInEffect(ReflectorInstance instance, Context<ReflectorInstance> context, Instant now) {
        var peers = (InformerEventSource<AuthorizedPeer, ReflectorInstance>)
                context.eventSourceRetriever().getEventSourceFor(AuthorizedPeer.class);
        return peers.list(instance.getMetadata().getNamespace(),
                        p -> PeerSelection.appliesTo(p, instance) && PeerSelection.inEffect(p, now))
                .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
                .toList();
    }

    /** Every AuthorizedPeer that names or selects the instance, in effect or not: the peers its pod may report on. */
    @SuppressWarnings("unchecked")
    public static List<AuthorizedPeer> peersSelecting(ReflectorInstance instance, Context<ReflectorInstance> context) {
        var peers = (InformerEventSource<AuthorizedPeer, ReflectorInstance>)
                context.eventSourceRetriever().getEventSourceFor(AuthorizedPeer.class);
        return peers.list(instance.getMetadata().getNamespace(), p -> PeerSelection.appliesTo(p, instance))
                .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
                .toList();
    }

    @SuppressWarnings("unchecked")
    public static List<PairingWindow> openWindows(ReflectorInstance instance, Context<ReflectorInstance> context, Instant now) {
        var windows = (InformerEventSource<PairingWindow, ReflectorInstance>)
                context.eventSourceRetriever().getEventSourceFor(PairingWindow.class);
        return windows.list(instance.getMetadata().getNamespace(), w -> isOpenFor(w, instance, now))
                .sorted(Comparator.comparing(w -> w.getMetadata().getName()))
                .toList();
    }

    public static List<ConfigRenderer.OpenCode> openCodes(ReflectorInstance instance, Context<ReflectorInstance> context, Instant now) {
        List<ConfigRenderer.OpenCode> codes = new ArrayList<>();
        for (PairingWindow w : openWindows(instance, context, now)) {
            String key = w.getSpec().codeSecretRef != null ? w.getSpec().codeSecretRef.keyOr(Labels.PAIRING_CODE_KEY) : Labels.PAIRING_CODE_KEY;
            Secret secret = context.getClient().secrets().inNamespace(w.getMetadata().getNamespace())
                    .withName(w.getStatus().codeSecret).get();
            String code = secret == null || secret.getData() == null || secret.getData().get(key) == null ? null
                    : new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8).strip();
            if (!PairingCodes.isValid(code)) {
                LOG.warnf("event=pairing_code_unavailable window=%s secret=%s", w.windowKey(), w.getStatus().codeSecret);
                continue;
            }
            codes.add(new ConfigRenderer.OpenCode(PairingCodes.normalize(code), w.getStatus().expiresAt, w.windowKey()));
        }
        return codes;
    }

    static boolean isOpenFor(PairingWindow w, ReflectorInstance instance, Instant now) {
        PairingWindowStatus s = w.getStatus();
        return w.getSpec() != null && w.getSpec().reflectorRef != null
                && Objects.equals(w.getSpec().reflectorRef.name, instance.getMetadata().getName())
                && s != null && s.phase == PairingWindowStatus.Phase.Open && s.codeSecret != null
                && s.expiresAt != null && Instant.parse(s.expiresAt).isAfter(now);
    }
}
