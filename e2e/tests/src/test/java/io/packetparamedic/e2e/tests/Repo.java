package io.packetparamedic.e2e.tests;

import io.packetparamedic.e2e.harness.RepoLayout;
import java.nio.file.Files;
import java.nio.file.Path;

/** Built artifacts the tests run. */
final class Repo {

    static final String OPERATOR_JAR = "operator/target/quarkus-app/quarkus-run.jar";
    static final String REFLECTOR_JAR = "reflector/target/reflector.jar";

    private Repo() {}

    static Path artifact(String relative, String buildHint) {
        Path p = RepoLayout.requireRoot().resolve(relative);
        if (!Files.isRegularFile(p)) {
            throw new AssertionError(p + " is missing: build it first (" + buildHint + ")");
        }
        return p;
    }

    static Path operatorJar() {
        return artifact(OPERATOR_JAR, "./mvnw -B -pl operator -am package -DskipTests");
    }

    static Path reflectorJar() {
        return artifact(REFLECTOR_JAR, "./mvnw -B -pl reflector -am package -DskipTests");
    }

    static Path java() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }
}
