package io.packetparamedic.e2e.harness;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Installs CustomResourceDefinitions and waits until the API server serves them. */
public final class Crds {

    public static final String FIELD_MANAGER = "kube-harness";
    public static final Duration ESTABLISH_TIMEOUT = Duration.ofSeconds(60);

    private Crds() {}

    /**
     * Server-side applies every manifest in {@code stream} (any kinds; CRDs are what this is for)
     * and waits until each CRD among them is Established.
     *
     * @return the names of the CRDs applied
     */
    public static List<String> apply(KubernetesClient client, InputStream stream) {
        // forceConflicts: the harness owns these objects; a rerun against a kept cluster must win.
        List<HasMetadata> applied =
                client.load(stream).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
        List<String> names = new ArrayList<>();
        for (HasMetadata item : applied) {
            if (item instanceof CustomResourceDefinition) {
                names.add(item.getMetadata().getName());
            }
        }
        names.forEach(n -> awaitEstablished(client, n, ESTABLISH_TIMEOUT));
        return names;
    }

    /** Applies every {@code *.yaml}/{@code *.yml}/{@code *.json} file under {@code dir}, sorted by path. */
    public static List<String> applyDirectory(KubernetesClient client, Path dir) {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile)
                    .filter(p -> p.toString().matches(".*\\.(ya?ml|json)$"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        List<String> names = new ArrayList<>();
        for (Path file : files) {
            try (InputStream in = Files.newInputStream(file)) {
                names.addAll(apply(client, in));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            } catch (RuntimeException e) {
                throw new IllegalStateException("cannot apply " + file + ": " + e.getMessage(), e);
            }
        }
        return names;
    }

    /**
     * Waits (by watch) until the CRD's Established condition is True: before that, requests for
     * its resources answer 404 even though the CRD object exists.
     */
    public static CustomResourceDefinition awaitEstablished(KubernetesClient client, String name, Duration timeout) {
        return client.apiextensions()
                .v1()
                .customResourceDefinitions()
                .withName(name)
                .waitUntilCondition(Crds::isEstablished, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public static boolean isEstablished(CustomResourceDefinition crd) {
        return crd != null
                && crd.getStatus() != null
                && crd.getStatus().getConditions() != null
                && crd.getStatus().getConditions().stream()
                        .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
    }
}
