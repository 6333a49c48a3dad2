package io.packetparamedic.api.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Min;

/** Per-peer overrides of the instance's quotas; an absent field takes the instance's value. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PeerQuotas {
    @Min(0)
    public Integer maxTestsPerHourPerPeer;
    @Min(0)
    public Long maxBytesPerDayPerPeer;
}
