package io.packetparamedic.reflector;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaConstructorCall;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.packetparamedic.reflector.wire.Envelope;
import io.packetparamedic.reflector.wire.Payload;

/**
 * The reflector's package layers (docs/architecture.md, "Layers"), checked on the compiled main
 * classes: a package imports only packages at its own level or below. Every class must belong to a
 * layer, so a new package fails here until it is placed in the picture. The api module is usable
 * from every layer and is outside the check.
 */
@AnalyzeClasses(packages = LayeringTest.REFLECTOR, importOptions = ImportOption.DoNotIncludeTests.class)
class LayeringTest {

    static final String REFLECTOR = "io.packetparamedic.reflector";

    private static final String ENTRY_POINTS = "entry points";
    private static final String ASSEMBLY = "assembly";
    private static final String NETWORK_FRONT = "network front";
    private static final String PROTOCOL = "protocol";
    private static final String DOMAIN = "domain";
    private static final String DATA_PLANE = "data plane";
    private static final String INFRASTRUCTURE = "infrastructure";

    /** The logging classes at the package root (LogFormat, LogbackSetup, JsonLogEncoder, ...). */
    private static final DescribedPredicate<JavaClass> ROOT_LOGGING =
            resideInAPackage(REFLECTOR).as("the logging classes at the package root");

    @ArchTest
    static final ArchRule layers_only_look_down = layeredArchitecture()
            .consideringOnlyDependenciesInLayers()
            .layer(ENTRY_POINTS)
            .definedBy(packages("cli", "kube", "selftest", "client"))
            .layer(ASSEMBLY)
            .definedBy(packages("runtime"))
            .layer(NETWORK_FRONT)
            .definedBy(packages("server", "admin", "health"))
            .layer(PROTOCOL)
            .definedBy(packages("rpc"))
            .layer(DOMAIN)
            .definedBy(packages("session", "governance", "auth"))
            .layer(DATA_PLANE)
            .definedBy(packages("engine"))
            .layer(INFRASTRUCTURE)
            .definedBy(packages("config", "audit", "metrics", "tls", "wire", "build")
                    .or(ROOT_LOGGING))
            .whereLayer(ENTRY_POINTS)
            .mayNotBeAccessedByAnyLayer()
            .whereLayer(ASSEMBLY)
            .mayOnlyAccessLayers(NETWORK_FRONT, PROTOCOL, DOMAIN, DATA_PLANE, INFRASTRUCTURE)
            .whereLayer(NETWORK_FRONT)
            .mayOnlyAccessLayers(PROTOCOL, DOMAIN, DATA_PLANE, INFRASTRUCTURE)
            .whereLayer(PROTOCOL)
            .mayOnlyAccessLayers(DOMAIN, DATA_PLANE, INFRASTRUCTURE)
            .whereLayer(DOMAIN)
            .mayOnlyAccessLayers(DATA_PLANE, INFRASTRUCTURE)
            .whereLayer(DATA_PLANE)
            .mayOnlyAccessLayers(INFRASTRUCTURE)
            .whereLayer(INFRASTRUCTURE)
            .mayNotAccessAnyLayer()
            .ensureAllClassesAreContainedInArchitecture()
            .as("layers only look down")
            .because("a package that reaches up a layer ties the lower layer to its callers (issue 15): "
                    + "entry points > assembly > network front > protocol > domain > data plane > infrastructure");

    @ArchTest
    static final ArchRule the_network_front_does_not_know_sessions = noClasses()
            .that(packages("server"))
            .should()
            .dependOnClassesThat(packages("session"))
            .as("the network front does not know sessions")
            .because("a connection hands requests to rpc, which speaks to the session layer; "
                    + "PeerConnection is the connection, not a session peer");

    @ArchTest
    static final ArchRule the_domain_speaks_no_protocol = noClasses()
            .that(packages("session", "governance", "auth"))
            .should()
            .dependOnClassesThat()
            .belongToAnyOf(Payload.class, Envelope.class)
            .as("the domain speaks no protocol")
            .because("session, governance and auth return domain results; rpc builds every Paramedic Link "
                    + "message from them, so the wire format lives in one layer");

    @ArchTest
    static final ArchRule the_network_front_builds_no_messages = noClasses()
            .that(packages("server", "admin", "health"))
            .should()
            .callConstructorWhere(constructorOfALinkMessage())
            .as("the network front builds no Paramedic Link messages")
            .because("the pipeline carries messages; rpc builds every response and error");

    @ArchTest
    static final ArchRule the_data_plane_does_not_know_sessions = noClasses()
            .that(packages("engine"))
            .should()
            .dependOnClassesThat(packages("session"))
            .as("the data plane does not know sessions")
            .because("an engine serves one EngineRequest; admission and lifecycle are the session layer's");

    private static DescribedPredicate<JavaClass> packages(String... names) {
        String[] patterns = new String[names.length];
        for (int i = 0; i < names.length; i++) patterns[i] = REFLECTOR + "." + names[i] + "..";
        return resideInAnyPackage(patterns);
    }

    private static DescribedPredicate<JavaConstructorCall> constructorOfALinkMessage() {
        return DescribedPredicate.describe(
                "a constructor of a Paramedic Link message",
                call -> call.getTargetOwner().getName().startsWith(Payload.class.getName()));
    }
}
