package io.packetparamedic.api.crd;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** One appliance allowed on one reflector (reflectorRef) or on several (reflectorSelector). */
@Group(Labels.GROUP)
@Version("v1alpha1")
@ShortNames({"peer", "peers", "ap"})
@Categories("packetparamedic")
@AdditionalPrinterColumn(name = "Endpoint ID", jsonPath = ".spec.endpointId", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Reflector", jsonPath = ".spec.reflectorRef.name", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Valid", jsonPath = ".status.conditions[?(@.type==\"Valid\")].status", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Last Seen", jsonPath = ".status.lastSeenTime", type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class AuthorizedPeer extends CustomResource<AuthorizedPeerSpec, AuthorizedPeerStatus> implements Namespaced {
}
