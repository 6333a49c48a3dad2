package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.jboss.logging.Logger;

/**
 * Records Kubernetes Events on the custom resources (what {@code kubectl describe} shows). An
 * event that cannot be written is logged and otherwise ignored: events are informational and
 * must never fail a reconcile.
 */
public final class KubeEvents {
    private static final Logger LOG = Logger.getLogger(KubeEvents.class);
    public static final String COMPONENT = "packetparamedic-operator";

    public static final String IDENTITY_CREATED = "IdentityCreated";
    public static final String IDENTITY_ROTATED = "IdentityRotated";
    public static final String IDENTITY_INVALID = "IdentityInvalid";
    public static final String PEER_INVALID = "PeerInvalid";
    public static final String PAIRING_OPENED = "PairingOpened";
    public static final String PAIRING_CONSUMED = "PairingConsumed";
    public static final String PAIRING_EXPIRED = "PairingExpired";
    public static final String PAIRING_FAILED = "PairingFailed";
    public static final String PAIRING_REPORT_REJECTED = "PairingReportRejected";
    public static final String IMAGE_NOT_ALLOWED = "ImageNotAllowed";
    public static final String PORT_CONFLICT = "PortConflict";
    public static final String POD_SECURITY_REJECTED = "PodSecurityRejected";

    private KubeEvents() {}

    public static void normal(KubernetesClient client, HasMetadata about, String reason, String message) {
        record(client, about, "Normal", reason, message);
    }

    public static void warning(KubernetesClient client, HasMetadata about, String reason, String message) {
        record(client, about, "Warning", reason, message);
    }

    private static void record(KubernetesClient client, HasMetadata about, String type, String reason, String message) {
        String now = Conditions.now();
        var event = new EventBuilder()
                .withNewMetadata()
                .withGenerateName(about.getMetadata().getName() + ".")
                .withNamespace(about.getMetadata().getNamespace())
                .endMetadata()
                .withInvolvedObject(new ObjectReferenceBuilder()
                        .withApiVersion(about.getApiVersion())
                        .withKind(about.getKind())
                        .withName(about.getMetadata().getName())
                        .withNamespace(about.getMetadata().getNamespace())
                        .withUid(about.getMetadata().getUid())
                        .build())
                .withType(type)
                .withReason(reason)
                .withMessage(message)
                .withNewSource()
                .withComponent(COMPONENT)
                .endSource()
                .withReportingComponent(COMPONENT)
                .withFirstTimestamp(now)
                .withLastTimestamp(now)
                .withCount(1)
                .build();
        try {
            client.v1()
                    .events()
                    .inNamespace(about.getMetadata().getNamespace())
                    .resource(event)
                    .create();
        } catch (KubernetesClientException e) {
            LOG.warnf(
                    "event=event_not_recorded kind=%s object=%s reason=%s error=%s",
                    about.getKind(), Names.key(about), reason, e.getMessage());
        }
        LOG.infof(
                "event=%s kind=%s object=%s type=%s message=\"%s\"",
                reason, about.getKind(), Names.key(about), type, message);
    }
}
