package io.packetparamedic.e2e.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A ServiceAccount's bound token gets exactly what its Role grants. */
@KubeCluster
class RbacTest {

    @Test
    void serviceAccountIsAllowedWhatItsRoleGrantsAndRefusedTheRest(KubeTestCluster cluster, TestNamespace ns)
            throws Exception {
        KubernetesClient admin = cluster.client();
        String n = ns.name();
        admin.serviceAccounts()
                .inNamespace(n)
                .resource(new ServiceAccountBuilder()
                        .withNewMetadata()
                        .withName("reader")
                        .endMetadata()
                        .build())
                .create();
        admin.rbac()
                .roles()
                .inNamespace(n)
                .resource(new RoleBuilder()
                        .withNewMetadata()
                        .withName("configmap-reader")
                        .endMetadata()
                        .addNewRule()
                        .withApiGroups("")
                        .withResources("configmaps")
                        .withVerbs("get", "list", "watch")
                        .endRule()
                        .build())
                .create();
        admin.rbac()
                .roleBindings()
                .inNamespace(n)
                .resource(new RoleBindingBuilder()
                        .withNewMetadata()
                        .withName("reader-reads-configmaps")
                        .endMetadata()
                        .withNewRoleRef()
                        .withApiGroup("rbac.authorization.k8s.io")
                        .withKind("Role")
                        .withName("configmap-reader")
                        .endRoleRef()
                        .addNewSubject()
                        .withKind("ServiceAccount")
                        .withName("reader")
                        .withNamespace(n)
                        .endSubject()
                        .build())
                .create();
        admin.configMaps()
                .inNamespace(n)
                .resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("existing")
                        .endMetadata()
                        .addToData("k", "v")
                        .build())
                .create();

        String user = "system:serviceaccount:" + n + ":reader";
        awaitRbacGrant(admin, n, user);

        KubernetesClient asReader = cluster.clientForServiceAccount(n, "reader");

        // Allowed: what the Role lists.
        assertThat(asReader.configMaps().inNamespace(n).list().getItems())
                .extracting(cm -> cm.getMetadata().getName())
                .contains("existing");
        assertThat(asReader.configMaps()
                        .inNamespace(n)
                        .withName("existing")
                        .get()
                        .getData())
                .containsEntry("k", "v");

        // Refused: a verb the Role lacks...
        ConfigMap extra = new ConfigMapBuilder()
                .withNewMetadata()
                .withName("not-allowed")
                .endMetadata()
                .build();
        KubernetesClientException create = catchThrowableOfType(
                KubernetesClientException.class,
                () -> asReader.configMaps().inNamespace(n).resource(extra).create());
        assertThat(create).isNotNull();
        assertThat(create.getCode()).isEqualTo(403);
        assertThat(create.getMessage()).contains("User \"" + user + "\" cannot create resource \"configmaps\"");

        // ...and a resource it does not name.
        KubernetesClientException secrets = catchThrowableOfType(
                KubernetesClientException.class,
                () -> asReader.secrets().inNamespace(n).list());
        assertThat(secrets).isNotNull();
        assertThat(secrets.getCode()).isEqualTo(403);
        assertThat(secrets.getMessage()).contains("cannot list resource \"secrets\"");
    }

    /**
     * The RBAC authorizer reads Roles and RoleBindings from an informer cache, so a fresh grant
     * takes effect a moment after the create returns. There is no object whose watch signals
     * that, so ask the authorizer itself (SubjectAccessReview), bounded in time.
     */
    private static void awaitRbacGrant(KubernetesClient admin, String namespace, String user)
            throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (true) {
            SubjectAccessReview review = admin.authorization()
                    .v1()
                    .subjectAccessReview()
                    .create(new SubjectAccessReviewBuilder()
                            .withNewSpec()
                            .withUser(user)
                            .withNewResourceAttributes()
                            .withNamespace(namespace)
                            .withVerb("list")
                            .withResource("configmaps")
                            .endResourceAttributes()
                            .endSpec()
                            .build());
            if (review.getStatus().getAllowed()) {
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("RBAC grant for " + user + " not effective after 30 s: " + review.getStatus());
            }
            Thread.sleep(50);
        }
    }
}
