package io.packetparamedic.e2e.harness;

/**
 * Stops and starts a cluster's kube-apiserver alone, keeping etcd (and so every object) and the
 * other components: an API outage as clients see it (connections refused, then the same server
 * back on the same address); or suspends and resumes it: a slow API server.
 */
public interface ApiServerSwitch {

    /** Stops the API server; returns once it no longer accepts connections. */
    void stop();

    /** Starts it again; returns once it answers {@code /readyz}. */
    void start();

    /** Suspends the API server: connections stay open and requests wait unanswered (a slow server). */
    void freeze();

    /** Resumes a suspended API server: the requests it held are answered. */
    void thaw();
}
