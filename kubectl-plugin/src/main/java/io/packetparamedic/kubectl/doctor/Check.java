package io.packetparamedic.kubectl.doctor;

import java.util.List;

/** One of the doctor's checks; it reports at least one finding and never throws for a cluster problem. */
interface Check {
    List<Finding> run(Scope scope);
}
