package io.packetparamedic.api.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Map;

/**
 * Where an instance's reflectors run: one pod somewhere (Single, the default) or one pod on each
 * matching node, each with its own identity (PerNode, a fleet). The node-choosing fields mean
 * nothing for Single, so the schema refuses them there rather than ignoring them.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value = "self.mode == 'PerNode' || (!has(self.nodeSelector) && !has(self.tolerations) && !has(self.maxNodes))",
        message = "spec.placement.nodeSelector, tolerations and maxNodes apply only to mode PerNode")
public class Placement {

    public enum Mode {
        Single,
        PerNode
    }

    @Default("Single")
    @JsonPropertyDescription(
            "Single: one reflector pod, placed by spec.nodeSelector/tolerations/affinity (default). PerNode: one reflector pod on each Ready, schedulable node that matches nodeSelector and whose taints tolerations tolerate, at most maxNodes (nodes already serving first, then newcomers by node name), each with its own identity Secret and Endpoint ID. Default: Single.")
    public Mode mode;

    @JsonPropertyDescription("PerNode: labels a node must carry to get a reflector. Empty: every node.")
    public Map<String, String> nodeSelector;

    @JsonPropertyDescription(
            "PerNode: taints the reflectors tolerate (the standard Kubernetes type); a node with a NoSchedule or NoExecute taint none of them tolerates gets no reflector.")
    public List<Toleration> tolerations;

    @Min(1)
    @Max(10000)
    @JsonPropertyDescription(
            "PerNode: most nodes that run a reflector; the matching nodes already serving keep their places, newcomers fill the rest by name. Default: no limit.")
    public Integer maxNodes;

    public Placement() {}

    public Placement(Mode mode) {
        this.mode = mode;
    }
}
