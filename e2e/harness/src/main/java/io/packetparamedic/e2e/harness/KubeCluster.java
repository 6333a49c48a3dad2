package io.packetparamedic.e2e.harness;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives a test class a real Kubernetes API server.
 *
 * <p>One cluster is started for the whole test run (the first annotated class starts it, the
 * end of the run stops it). Test and lifecycle methods may declare parameters of type
 * {@link io.fabric8.kubernetes.client.KubernetesClient} (admin), {@link KubeTestCluster} and
 * {@link TestNamespace} (a fresh namespace per declaring method or class, deleted afterwards).
 *
 * <p>Which cluster is used is chosen by the configuration parameter or system property
 * {@code pp.cluster} (environment {@code PP_CLUSTER}): {@code local} (default), {@code k3s} or
 * {@code kubeconfig}; see {@link ClusterKind}.
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(KubeClusterExtension.class)
public @interface KubeCluster {

    /** A cluster with a real node (kubelet + containerd) and the local images. */
    boolean node() default false;

    /**
     * With {@code node = true}: how many real nodes (1 or 2) the class needs. The run's node
     * cluster has as many as the first class that asked wanted; a later class that asks for more
     * gets it stopped and started again with more ({@link KubeTestCluster#nodes()}).
     */
    int nodes() default 1;
}
