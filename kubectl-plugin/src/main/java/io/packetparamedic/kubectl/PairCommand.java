package io.packetparamedic.kubectl;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientTimeoutException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.packetparamedic.api.config.Durations;
import io.packetparamedic.api.crd.Labels;
import io.packetparamedic.api.crd.ObjectRef;
import io.packetparamedic.api.crd.PairingWindow;
import io.packetparamedic.api.crd.PairingWindowSpec;
import io.packetparamedic.api.crd.PairingWindowStatus;
import io.packetparamedic.api.crd.PairingWindowStatus.Phase;
import io.packetparamedic.api.crd.ReflectorInstance;
import io.packetparamedic.api.kube.SecretData;
import io.packetparamedic.api.time.Rfc3339;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * Opens a PairingWindow, prints the code the operator issued, and follows the window (by watch)
 * until an appliance uses it, it expires, or it fails.
 */
@Command(
        name = "pair",
        mixinStandardHelpOptions = true,
        description = {
            "Open a PairingWindow for a reflector, print its code and wait until an appliance pairs.",
            "Ctrl-C stops waiting and leaves the window open (unless --close-on-exit)."
        })
final class PairCommand implements Callable<Integer> {

    @ParentCommand
    KubectlPacketParamedic root;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "INSTANCE", description = "The ReflectorInstance to pair with.")
    String instance;

    @Option(
            names = "--ttl",
            defaultValue = PairingWindowSpec.DEFAULT_TTL,
            paramLabel = "DURATION",
            description =
                    "How long the window stays open, e.g. 90s, 10m, 1h30m, at most 7d (default ${DEFAULT-VALUE}).")
    String ttl;

    @Option(
            names = "--name",
            paramLabel = "NAME",
            description = "Name of the PairingWindow (default: <instance>-pair-<random>).")
    String name;

    @Option(
            names = "--peer-name",
            paramLabel = "NAME",
            description = "Name of the AuthorizedPeer the pairing creates (default: the window's name).")
    String peerName;

    @Option(names = "--display-name", paramLabel = "TEXT", description = "displayName of that AuthorizedPeer.")
    String displayName;

    @Option(
            names = "--wait",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description =
                    "Wait until the window is used, expires or fails (default). --no-wait exits once the code is printed.")
    boolean waitForPairing;

    @Option(
            names = "--timeout",
            defaultValue = "60s",
            paramLabel = "DURATION",
            description =
                    "How long to wait for the operator: to issue the code, and to close the window after it expires (default ${DEFAULT-VALUE}).")
    String timeout;

    @Option(
            names = "--close-on-exit",
            description = "On Ctrl-C, delete the window instead of leaving it open until it expires.")
    boolean closeOnExit;

    /** The window's condition that its code is live on the reflector. */
    private static final String READY = "Ready";

    /** spec.ttl's upper bound in the CRD (the reflector never keeps a pairing code longer). */
    private static final Duration MAX_TTL = Duration.ofDays(7);

    @Override
    public Integer call() throws Exception {
        Duration ttlDuration = duration("--ttl", ttl);
        if (ttlDuration.compareTo(MAX_TTL) > 0) {
            throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(),
                    "--ttl: at most " + Durations.format(MAX_TTL) + " (the reflector keeps a pairing code no longer)");
        }
        Duration wait = duration("--timeout", timeout);
        PrintWriter out = spec.commandLine().getOut();
        try (KubernetesClient client = root.cluster().connect()) {
            ReflectorInstance ri = Instances.require(client, instance);
            PairingWindow window = client.resources(PairingWindow.class)
                    .inNamespace(client.getNamespace())
                    .resource(newWindow(client.getNamespace(), Durations.format(ttlDuration)))
                    .create();
            String windowName = window.getMetadata().getName();
            String ns = client.getNamespace();
            Resource<PairingWindow> resource =
                    client.resources(PairingWindow.class).inNamespace(ns).withName(windowName);
            out.printf(
                    "pairingwindow/%s created in namespace %s for reflector %s (ttl %s)%n",
                    windowName, ns, instance, Durations.format(ttlDuration));
            out.flush();

            WindowOnExit onExit = new WindowOnExit(
                    resource, ns, windowName, closeOnExit, spec.commandLine().getErr());
            Runtime.getRuntime().addShutdownHook(onExit);
            try {
                PairingWindow open = awaitCode(resource, wait);
                PairingWindowStatus st = open.getStatus();
                if (st.phase != Phase.Open) return closedEarly(out, st);
                String code = readCode(client, open, wait);
                Instant expires = Rfc3339.parse(st.expiresAt);
                onExit.expiresAt(st.expiresAt);
                printCode(out, ri, code, expires);
                if (!waitForPairing) {
                    out.printf(
                            "Not waiting (--no-wait). Follow it with: kubectl get pairingwindow %s -n %s -w%n",
                            windowName, ns);
                    return ExitCodes.OK;
                }
                awaitLive(resource, out, wait);
                PairingWindow closed = awaitClosed(resource, out, expires, wait);
                // A window deleted by --close-on-exit is the hook's to report, not a failure.
                if (onExit.ran()) return ExitCodes.INTERRUPTED;
                return report(out, closed);
            } finally {
                // From here on the command speaks for itself: a late signal adds nothing.
                onExit.done();
                removeHook(onExit);
            }
        }
    }

    private PairingWindow newWindow(String ns, String ttlText) {
        PairingWindow w = new PairingWindow();
        ObjectMetaBuilder meta = new ObjectMetaBuilder().withNamespace(ns);
        w.setMetadata(
                name != null
                        ? meta.withName(name).build()
                        : meta.withGenerateName(instance + "-pair-").build());
        PairingWindowSpec s = new PairingWindowSpec();
        s.reflectorRef = new ObjectRef(instance);
        s.ttl = ttlText;
        if (peerName != null || displayName != null) {
            s.peerTemplate = new PairingWindowSpec.PeerTemplate();
            s.peerTemplate.name = peerName;
            s.peerTemplate.displayName = displayName;
        }
        w.setSpec(s);
        return w;
    }

    /** The window once the operator has issued its code, or closed it first (e.g. Failed). */
    private PairingWindow awaitCode(Resource<PairingWindow> resource, Duration wait) {
        PairingWindow w;
        try {
            w = resource.waitUntilCondition(
                    p -> p == null
                            || p.getStatus() != null
                                    && (p.getStatus().codeSecret != null && p.getStatus().expiresAt != null
                                            || isClosed(p.getStatus().phase)),
                    wait.toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (KubernetesClientTimeoutException e) {
            throw new PluginException(
                    ExitCodes.TIMED_OUT,
                    "the operator issued no code within " + timeout
                            + " (is it running? kubectl packetparamedic doctor)");
        }
        if (w == null) throw new PluginException(ExitCodes.FAILED, "the pairing window was deleted");
        return w;
    }

    private String readCode(KubernetesClient client, PairingWindow w, Duration wait) {
        String key = w.getSpec().codeSecretRef != null
                ? w.getSpec().codeSecretRef.keyOr(Labels.PAIRING_CODE_KEY)
                : Labels.PAIRING_CODE_KEY;
        String secretName = w.getStatus().codeSecret;
        Secret s;
        try {
            s = client.secrets()
                    .inNamespace(client.getNamespace())
                    .withName(secretName)
                    .waitUntilCondition(
                            x -> x != null && x.getData() != null && x.getData().containsKey(key),
                            wait.toMillis(),
                            TimeUnit.MILLISECONDS);
        } catch (KubernetesClientTimeoutException e) {
            throw new PluginException(
                    ExitCodes.TIMED_OUT, "Secret " + secretName + " holds no key \"" + key + "\" after " + timeout);
        }
        try {
            return SecretData.text(s, key).orElseThrow();
        } catch (IllegalArgumentException notBase64) {
            throw new PluginException(ExitCodes.FAILED, notBase64.getMessage());
        }
    }

    private static void printCode(PrintWriter out, ReflectorInstance ri, String code, Instant expires) {
        var st = ri.getStatus();
        out.println();
        out.println("  Pairing code:  " + code);
        out.println("  Reflector:     " + (st != null && st.address != null ? st.address : "(address not known yet)"));
        out.println("  Endpoint ID:   " + (st != null && st.endpointId != null ? st.endpointId : "(not issued yet)"));
        out.println("  Expires:       " + expires);
        out.println();
        out.flush();
    }

    /**
     * Waits (watch) until the reflector serves a config with the code (the window's Ready
     * condition) or the window closes. A reflector slower than --timeout is reported, not fatal:
     * it may still load the code before the window expires.
     */
    private void awaitLive(Resource<PairingWindow> resource, PrintWriter out, Duration wait) {
        out.println("Waiting for the reflector to load the code ...");
        out.flush();
        try {
            PairingWindow w = resource.waitUntilCondition(
                    p -> p == null
                            || p.getStatus() != null
                                    && (isClosed(p.getStatus().phase)
                                            || Instances.isTrue(p.getStatus().conditions, READY)),
                    wait.toMillis(),
                    TimeUnit.MILLISECONDS);
            if (w != null && !isClosed(w.getStatus().phase)) {
                out.println("The reflector has the code: enter the address and the code on the appliance.");
            }
        } catch (KubernetesClientTimeoutException e) {
            PairingWindow now = resource.get();
            String why = now == null || now.getStatus() == null
                    ? "no status"
                    : Instances.condition(now.getStatus().conditions, READY)
                            .map(c -> c.getReason() + ": " + c.getMessage())
                            .orElse("no Ready condition");
            out.println("The reflector has not confirmed the code within " + timeout + " (" + why
                    + "); it may still load it. Enter the address and the code on the appliance.");
        }
        out.flush();
    }

    /** Waits (watch) for Consumed, Expired, Failed or deletion, showing the time left meanwhile. */
    private PairingWindow awaitClosed(Resource<PairingWindow> resource, PrintWriter out, Instant expires, Duration wait)
            throws InterruptedException, ExecutionException {
        CompletableFuture<List<PairingWindow>> closed = resource.informOnCondition(l ->
                l.isEmpty() || l.get(0).getStatus() != null && isClosed(l.get(0).getStatus().phase));
        Countdown countdown = new Countdown(out, Terminal.isInteractive(), "Waiting for the appliance");
        Instant giveUp = expires.plus(wait);
        try {
            while (true) {
                Instant now = Instant.now();
                countdown.show(Duration.between(now, expires));
                if (now.isAfter(giveUp)) {
                    throw new PluginException(
                            ExitCodes.TIMED_OUT,
                            "the window expired at " + expires + " but the operator has not closed it after "
                                    + timeout);
                }
                try {
                    List<PairingWindow> result = closed.get(1000 - now.toEpochMilli() % 1000, TimeUnit.MILLISECONDS);
                    return result.isEmpty() ? null : result.get(0);
                } catch (TimeoutException nextSecond) {
                    // the window is still open: update the countdown
                }
            }
        } finally {
            closed.cancel(true);
            countdown.end();
        }
    }

    private static int report(PrintWriter out, PairingWindow w) {
        if (w == null) {
            out.println("The pairing window was deleted before an appliance used it.");
            return ExitCodes.FAILED;
        }
        PairingWindowStatus st = w.getStatus();
        if (st.phase == Phase.Consumed) {
            out.println("Paired.");
            out.println("  Appliance Endpoint ID:  " + st.pairedEndpointId);
            out.println("  AuthorizedPeer:         " + st.authorizedPeer + "   (kubectl get authorizedpeer "
                    + st.authorizedPeer + " -n " + w.getMetadata().getNamespace() + ")");
            out.flush();
            return ExitCodes.OK;
        }
        return closedEarly(out, st);
    }

    private static int closedEarly(PrintWriter out, PairingWindowStatus st) {
        out.println("The pairing window is " + st.phase + ": " + (st.message != null ? st.message : "no reason given"));
        out.flush();
        return ExitCodes.FAILED;
    }

    private static boolean isClosed(Phase phase) {
        return phase == Phase.Consumed || phase == Phase.Expired || phase == Phase.Failed;
    }

    private Duration duration(String option, String text) {
        try {
            Duration d = Durations.parse(text);
            if (d.isZero()) throw new IllegalArgumentException(option + " must be more than 0");
            return d;
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), option + ": " + e.getMessage());
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run: nothing to remove
        }
    }
}
