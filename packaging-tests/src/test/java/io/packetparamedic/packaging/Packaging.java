package io.packetparamedic.packaging;

import io.packetparamedic.e2e.harness.Exec;
import io.packetparamedic.e2e.harness.Repo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs helm and kustomize on the repository's chart and kustomizations. */
final class Packaging {

    static final String CHART = "charts/packetparamedic-operator";
    static final List<String> OVERLAYS = List.of("config/overlays/cluster-wide", "config/overlays/namespaced");
    static final String MONITORING = "config/monitoring";

    /** Set {@code -Dpackaging.update=true} to rewrite generated copies instead of failing on drift. */
    static final boolean UPDATE = Boolean.getBoolean("packaging.update");

    private Packaging() {}

    static Path chart() {
        return Repo.path(CHART);
    }

    static Exec.Result helm(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Tools.helm().toString());
        command.addAll(List.of(args));
        // Keep helm away from the developer's own configuration, cache and repositories.
        Path home = Repo.path("packaging-tests/target/helm-home");
        return Tools.run(
                Repo.root(),
                null,
                java.util.Map.of(
                        "HELM_CACHE_HOME", home.resolve("cache").toString(),
                        "HELM_CONFIG_HOME", home.resolve("config").toString(),
                        "HELM_DATA_HOME", home.resolve("data").toString()),
                command);
    }

    /** helm template of the chart with the given --set/--values arguments; CRDs included. */
    static Manifests helmTemplate(String releaseNamespace, String... valueArgs) {
        List<String> args = new ArrayList<>(
                List.of("template", "packetparamedic", CHART, "--namespace", releaseNamespace, "--include-crds"));
        args.addAll(List.of(valueArgs));
        return Manifests.parse(helm(args.toArray(String[]::new)).orThrow().stdout());
    }

    static Manifests kustomizeBuild(String dir) {
        Exec.Result result = Tools.run(
                        Repo.root(), null, List.of(Tools.kustomize().toString(), "build", dir))
                .orThrow();
        return Manifests.parse(result.stdout());
    }
}
