package io.packetparamedic.reflector.cli;

import io.packetparamedic.api.config.ReflectorConfig;

/**
 * The banner line that says how test traffic reaches the reflector. It states what happens, not
 * just {@code network.mode}: every grant is {@code direct_ephemeral} (a real port of the data
 * range), whatever the mode says, because the appliances in the field know no other data path.
 */
public final class DataPlaneBanner {
    private DataPlaneBanner() {}

    public static String line(ReflectorConfig c) {
        String ports = "Data plane:    direct ports " + c.network.dataPortRangeStart + "-" + c.network.dataPortRangeEnd
                + " (TCP and UDP)";
        return c.directEphemeralMode()
                ? ports
                : ports + "; network.mode = \"" + c.network.mode
                        + "\" is accepted but not implemented, grants say direct_ephemeral";
    }
}
