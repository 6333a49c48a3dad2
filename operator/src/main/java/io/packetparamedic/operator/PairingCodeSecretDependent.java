package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.packetparamedic.api.crd.Labels;
import io.packetparamedic.api.crd.PairingWindow;
import io.packetparamedic.api.kube.SecretData;
import io.packetparamedic.api.pairing.PairingCodes;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The code of a PairingWindow, generated once (api {@link PairingCodes#generate}) and kept: the
 * existing Secret's code is reused on every reconcile. Owned by the window, and deleted once the
 * window is no longer open ({@link GeneratedCodeCondition}), so a used or expired code does not
 * linger anywhere.
 */
@KubernetesDependent(informer = @Informer(labelSelector = Names.PAIRING_CODE_SECRETS))
public class PairingCodeSecretDependent extends CRUDKubernetesDependentResource<Secret, PairingWindow> {

    public PairingCodeSecretDependent() {
        super(Secret.class);
    }

    @Override
    protected Secret desired(PairingWindow window, Context<PairingWindow> context) {
        String code = getSecondaryResource(window, context)
                .map(PairingCodeSecretDependent::code)
                .filter(PairingCodes::isValid)
                .orElseGet(PairingCodes::generate);
        return new SecretBuilder()
                .withNewMetadata()
                .withName(Names.generatedCodeSecret(window))
                .withNamespace(window.getMetadata().getNamespace())
                .withLabels(Names.labels(window, Names.COMPONENT_PAIRING_CODE))
                .endMetadata()
                .withType("Opaque")
                .addToData(
                        Labels.PAIRING_CODE_KEY,
                        Base64.getEncoder().encodeToString(code.getBytes(StandardCharsets.UTF_8)))
                .build();
    }

    @Override
    protected ResourceID targetSecondaryResourceID(PairingWindow window, Context<PairingWindow> context) {
        return new ResourceID(
                Names.generatedCodeSecret(window), window.getMetadata().getNamespace());
    }

    /** The kept code; null when absent or unreadable, so a new one replaces it. */
    static String code(Secret s) {
        try {
            return SecretData.text(s, Labels.PAIRING_CODE_KEY).orElse(null);
        } catch (IllegalArgumentException notBase64) {
            return null;
        }
    }
}
