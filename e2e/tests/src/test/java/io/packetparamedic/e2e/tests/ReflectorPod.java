package io.packetparamedic.e2e.tests;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.packetparamedic.e2e.harness.KubeTestCluster;
import io.packetparamedic.e2e.harness.ReflectorProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The test playing the kubelet: runs the reflector with the arguments and environment of the
 * Deployment the operator created, authenticated with a token of the Deployment's ServiceAccount
 * (TokenRequest) in a kubeconfig — so it has exactly the pod's rights. Downward-API variables get
 * what a pod on a node at 127.0.0.1 would see; the listeners bind 127.0.0.1 on free ports and the
 * data directory is a per-run temporary one.
 */
final class ReflectorPod {

    static final String NODE = "e2e-node";

    private ReflectorPod() {}

    /** Starts the reflector of {@code deploymentName} as its pod would run it; its log is {@code work/reflector.log}. */
    static ReflectorProcess start(KubeTestCluster cluster, String namespace, String deploymentName, Path work)
            throws IOException {
        Deployment d = cluster.client()
                .apps()
                .deployments()
                .inNamespace(namespace)
                .withName(deploymentName)
                .get();
        if (d == null) throw new AssertionError("Deployment " + namespace + "/" + deploymentName + " does not exist");
        var pod = d.getSpec().getTemplate().getSpec();
        Container c = pod.getContainers().get(0);
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar e : c.getEnv()) {
            if (e.getValue() != null) {
                env.put(e.getName(), e.getValue());
            } else {
                String field = e.getValueFrom().getFieldRef().getFieldPath();
                env.put(
                        e.getName(),
                        switch (field) {
                            case "metadata.name" -> deploymentName + "-e2e";
                            case "metadata.namespace" -> namespace;
                            case "spec.nodeName" -> NODE;
                            case "status.hostIP" -> "127.0.0.1";
                            default -> throw new AssertionError("unexpected downward-API field " + field);
                        });
            }
        }
        Files.createDirectories(work);
        Path data = Files.createDirectories(work.resolve("data"));
        env.put("REFLECTOR_LISTEN_ADDRESS", "127.0.0.1:0");
        env.put("REFLECTOR_HEALTH_LISTEN_ADDRESS", "127.0.0.1:0");
        env.put("REFLECTOR_DATA_DIR", data.toString());

        Path kubeconfig = cluster.writeServiceAccountKubeconfig(
                namespace, pod.getServiceAccountName(), Duration.ofHours(2), work.resolve("kubeconfig"));
        List<String> args = new ArrayList<>(c.getArgs());
        args.add("--kubeconfig");
        args.add(kubeconfig.toString());
        List<String> command =
                ReflectorProcess.javaCommand(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), args);
        return ReflectorProcess.start(new ReflectorProcess.Launch(command, env, work.resolve("reflector.log")));
    }
}
