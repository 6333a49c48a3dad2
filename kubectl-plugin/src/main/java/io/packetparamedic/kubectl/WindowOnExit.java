package io.packetparamedic.kubectl;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.packetparamedic.api.crd.PairingWindow;
import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The shutdown hook of {@code pair} (Ctrl-C while waiting): the window is the user's, so by
 * default it stays open and the hook says how to close it; with --close-on-exit it is deleted.
 */
final class WindowOnExit extends Thread {

    private final Resource<PairingWindow> window;
    private final String namespace;
    private final String name;
    private final boolean delete;
    private final PrintWriter err;
    private final AtomicBoolean done = new AtomicBoolean();
    private volatile String expiresAt;
    private volatile boolean ran;

    WindowOnExit(Resource<PairingWindow> window, String namespace, String name, boolean delete, PrintWriter err) {
        super("pair-on-exit");
        this.window = window;
        this.namespace = namespace;
        this.name = name;
        this.delete = delete;
        this.err = err;
    }

    void expiresAt(String time) {
        this.expiresAt = time;
    }

    /** Whether the hook ran (the JVM is exiting on a signal): the command has nothing more to say. */
    boolean ran() {
        return ran;
    }

    /** The command finished on its own: nothing to say at exit. */
    void done() {
        done.set(true);
    }

    @Override
    public void run() {
        if (!done.compareAndSet(false, true)) return;
        ran = true;
        err.println();
        if (delete) {
            try {
                window.delete();
                err.printf(
                        "Interrupted: deleted pairingwindow %s in namespace %s (--close-on-exit).%n", name, namespace);
            } catch (KubernetesClientException e) {
                err.printf(
                        "Interrupted: could not delete pairingwindow %s: %s; delete it with: kubectl delete pairingwindow %s -n %s%n",
                        name, e.getMessage(), name, namespace);
            }
        } else {
            err.printf(
                    "Interrupted: pairingwindow %s stays open%s. Close it with: kubectl delete pairingwindow %s -n %s%n",
                    name, expiresAt != null ? " until " + expiresAt : "", name, namespace);
        }
        err.flush();
    }
}
