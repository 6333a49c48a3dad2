package io.packetparamedic.e2e.netns;

import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Builds a {@link NatLab} before a test class and removes it afterwards, whether the tests passed
 * or not; a JVM shutdown hook removes it too if the run is killed (SIGTERM) in between. Without
 * root or {@code ip netns} the class is skipped, not failed.
 */
public final class NatLabExtension implements BeforeAllCallback, AfterAllCallback {

    private volatile NatLab lab;
    private Thread shutdownHook;

    public NatLab lab() {
        if (lab == null) throw new IllegalStateException("the NAT lab is not built");
        return lab;
    }

    static Path buildDir() {
        return Path.of(System.getProperty("ppn.build.dir", "target"));
    }

    static Path sourceDir() {
        return Path.of(System.getProperty("ppn.source.dir", "src/main/c"));
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        Assumptions.assumeTrue(Topology.supported(), "network namespace tests need root and `ip netns`");
        lab = NatLab.build(buildDir().resolve("netns"), sourceDir());
        shutdownHook = new Thread(this::closeQuietly, "ppn-lab-cleanup");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (lab == null) return;
        try {
            lab.close();
        } finally {
            lab = null;
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException ignored) {
                // already shutting down
            }
        }
    }

    private void closeQuietly() {
        NatLab l = lab;
        if (l == null) return;
        try {
            l.close();
        } catch (RuntimeException e) {
            System.err.println("ppn: cleanup at shutdown: " + e.getMessage());
        }
    }
}
