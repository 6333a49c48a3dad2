package io.packetparamedic.api.crd;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * One reflector endpoint: the operator turns it into an identity Secret, a config Secret, a
 * ServiceAccount with its Role and RoleBinding, and a hostNetwork Deployment (with
 * spec.placement.mode PerNode: one Deployment and identity Secret per matching node). Its table shows the
 * short Endpoint ID (the full one only in {@code -o wide}) to stay within about 100 columns.
 */
@Group(Labels.GROUP)
@Version("v1alpha1")
@ShortNames({"reflector", "reflectors", "ri"})
@Categories("packetparamedic")
@AdditionalPrinterColumn(
        name = "Endpoint ID",
        jsonPath = ".status.shortEndpointId",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.ready", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "Reason",
        jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Address", jsonPath = ".status.address", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "Peers",
        jsonPath = ".status.authorizedPeers",
        type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
        name = "Active",
        jsonPath = ".status.activeSessionCount",
        type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
        name = "Phase",
        jsonPath = ".status.phase",
        type = AdditionalPrinterColumn.Type.STRING,
        priority = 1)
@AdditionalPrinterColumn(
        name = "Full Endpoint ID",
        jsonPath = ".status.endpointId",
        type = AdditionalPrinterColumn.Type.STRING,
        priority = 1)
@AdditionalPrinterColumn(
        name = "Age",
        jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
public class ReflectorInstance extends CustomResource<ReflectorInstanceSpec, ReflectorInstanceStatus>
        implements Namespaced {

    /** The value of {@code --instance} for this instance's reflector: namespace/name. */
    public String instanceKey() {
        return getMetadata().getNamespace() + "/" + getMetadata().getName();
    }
}
