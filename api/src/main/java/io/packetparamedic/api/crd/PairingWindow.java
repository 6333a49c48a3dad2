package io.packetparamedic.api.crd;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A time-limited, single-use chance for one new appliance to enrol on one reflector. The code
 * itself is never in spec or status: it lives in the Secret named by {@code status.codeSecret}.
 *
 * <p>"Expires At" is a string column on purpose: kubectl prints a date column as the time since
 * it, and a time in the future as {@code <invalid>}, which is what an open window's expiry is.
 */
@Group(Labels.GROUP)
@Version("v1alpha1")
@ShortNames({"pairing", "pairings", "pw"})
@Categories("packetparamedic")
@AdditionalPrinterColumn(
        name = "Reflector",
        jsonPath = ".spec.reflectorRef.name",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "Ready",
        jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "Reason",
        jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "Expires At",
        jsonPath = ".status.expiresAt",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "Paired Peer",
        jsonPath = ".status.authorizedPeer",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "Code Secret",
        jsonPath = ".status.codeSecret",
        type = AdditionalPrinterColumn.Type.STRING,
        priority = 1)
@AdditionalPrinterColumn(
        name = "Age",
        jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
public class PairingWindow extends CustomResource<PairingWindowSpec, PairingWindowStatus> implements Namespaced {

    public String windowKey() {
        return getMetadata().getNamespace() + "/" + getMetadata().getName();
    }
}
