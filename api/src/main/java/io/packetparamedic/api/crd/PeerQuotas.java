package io.packetparamedic.api.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** Per-peer overrides of the instance's quotas; an absent field takes the instance's value. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PeerQuotas {
    @Min(1)
    @Max(Integer.MAX_VALUE)
    @JsonPropertyDescription(
            "Tests this peer may start per hour (at least 1; to shut a peer out, set spec.disabled). Absent: the instance's spec.quotas.maxTestsPerHourPerPeer.")
    public Integer maxTestsPerHourPerPeer;

    @Min(1)
    @JsonPropertyDescription(
            "Bytes this peer may move per UTC day. Absent: the instance's spec.quotas.maxBytesPerDayPerPeer.")
    public Long maxBytesPerDayPerPeer;
}
