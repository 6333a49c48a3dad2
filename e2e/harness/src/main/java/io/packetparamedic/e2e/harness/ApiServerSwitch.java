package io.packetparamedic.e2e.harness;

/**
 * Stops and starts a cluster's kube-apiserver alone, keeping etcd (and so every object) and the
 * other components: an API outage as clients see it (connections refused, then the same server
 * back on the same address).
 */
public interface ApiServerSwitch {

    /** Stops the API server; returns once it no longer accepts connections. */
    void stop();

    /** Starts it again; returns once it answers {@code /readyz}. */
    void start();
}
