package io.packetparamedic.e2e.harness;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds the repository the tests run in; Surefire's working dir is the module's, not the root. */
public final class RepoLayout {

    public static final String CONTROL_PLANE_SCRIPT = "e2e/hack/control-plane.sh";
    public static final String NODE_SCRIPT = "e2e/hack/node.sh";
    /** Builds the local images ({@code paths} lists their OCI archives); may not exist. */
    public static final String IMAGES_SCRIPT = "e2e/hack/images.sh";

    private RepoLayout() {}

    /** The nearest directory at or above {@code user.dir} holding {@code mvnw}. */
    public static Optional<Path> findRoot() {
        return findRoot(Path.of(System.getProperty("user.dir")));
    }

    static Optional<Path> findRoot(Path start) {
        for (Path dir = start.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("mvnw"))) {
                return Optional.of(dir);
            }
        }
        return Optional.empty();
    }

    public static Path requireRoot() {
        return findRoot()
                .orElseThrow(
                        () -> new IllegalStateException("cannot find the repository root (a directory with mvnw) above "
                                + System.getProperty("user.dir")));
    }
}
