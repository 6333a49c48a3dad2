package io.packetparamedic.api.crd;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * One appliance allowed on one reflector (reflectorRef) or on several (reflectorSelector). The
 * table shows State next to Ready so that a disabled, expired or dangling peer does not look like
 * a working one; the full Endpoint ID only in {@code -o wide}, to keep the table narrow.
 */
@Group(Labels.GROUP)
@Version("v1alpha1")
@ShortNames({"peer", "peers", "ap"})
@Categories("packetparamedic")
@AdditionalPrinterColumn(
        name = "Endpoint ID",
        jsonPath = ".status.shortEndpointId",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "Reflector",
        jsonPath = ".spec.reflectorRef.name",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "State", jsonPath = ".status.state", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "Ready",
        jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "Reason",
        jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "Valid",
        jsonPath = ".status.conditions[?(@.type==\"Valid\")].status",
        type = AdditionalPrinterColumn.Type.STRING,
        priority = 1)
@AdditionalPrinterColumn(
        name = "Last Seen",
        jsonPath = ".status.lastSeenTime",
        type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(
        name = "Full Endpoint ID",
        jsonPath = ".spec.endpointId",
        type = AdditionalPrinterColumn.Type.STRING,
        priority = 1)
@AdditionalPrinterColumn(
        name = "Age",
        jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
public class AuthorizedPeer extends CustomResource<AuthorizedPeerSpec, AuthorizedPeerStatus> implements Namespaced {}
