package io.packetparamedic.reflector.auth;

import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.api.pairing.PairingCodes;
import io.packetparamedic.api.time.Rfc3339;
import io.packetparamedic.reflector.audit.AuditEvent;
import io.packetparamedic.reflector.audit.AuditEventType;
import io.packetparamedic.reflector.audit.AuditLog;
import io.packetparamedic.reflector.config.ConfiguredPeers;
import io.packetparamedic.reflector.governance.SteadyClock;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may do what (spec section 6): the allowlist from the configuration plus the peers enrolled
 * by pairing ({@link PeerStore}), and the open pairing windows.
 *
 * <p>Pairing windows come from two places: the admin channel ({@link #openWindow}, window name
 * {@value #LOCAL_WINDOW}, one at a time) and the configuration's {@code access.pairing_codes}
 * (e.g. rendered by the operator from PairingWindow resources). Every code is single-use: the
 * first peer that presents it is persisted, then the window is consumed, all under one lock, so
 * of several peers racing one code exactly one wins. Codes are compared in constant time. A code
 * from the configuration is also claimed through a {@link PairingClaim} before it is accepted
 * (in Kubernetes mode: on the PairingWindow, so that one code is accepted once across a fleet);
 * the window is set aside meanwhile, so no second peer here can take it during the claim.
 *
 * <p>{@link #access} is called on the event loop and only reads; {@link #pair} writes the peer
 * file and must be called off the event loop.
 */
public final class Authorizer {

    public static final String LOCAL_WINDOW = "local";
    private static final Logger LOG = LoggerFactory.getLogger(Authorizer.class);

    private record Window(String name, String code, Optional<Instant> expiresAt, boolean fromConfig) {
        boolean open(Instant now) {
            return expiresAt.map(now::isBefore).orElse(true);
        }

        /** Identifies the window for failure counting: the config key, or the local window's code. */
        String key() {
            return fromConfig ? configKey() : name + "|" + code;
        }

        /** Identifies a config code across reloads, so a consumed one is not reopened by the next reload. */
        String configKey() {
            return name + "|" + code;
        }
    }

    private final PeerStore store;
    private final AuditLog audit;
    private final Clock clock;
    private final List<PairingListener> listeners = new CopyOnWriteArrayList<>();
    private volatile PairingClaim claim = PairingClaim.LOCAL;
    /** The configured peers and their names, in file order; replaced whole by {@link #applyPeers}. */
    private volatile Map<EndpointId, Optional<String>> configured = Map.of();

    private final Object lock = new Object();
    /** Guarded by {@link #lock}. */
    private final List<Window> windows = new ArrayList<>();
    /** Guarded by {@link #lock}. */
    private final Set<String> consumedConfigCodes = new HashSet<>();
    /** Failed attempts per open window (by its key); guarded by {@link #lock}. */
    private final Map<String, Integer> windowFailures = new HashMap<>();
    /** When each configured code was first seen, for the lifetime cap; guarded by {@link #lock}. */
    private final Map<String, Instant> configCodesSeen = new HashMap<>();

    private final PairingGuard guard = new PairingGuard();
    /** Guarded by {@link #lock}. */
    private final EndedWindows ended = new EndedWindows();
    /** Written under {@link #lock}; read lock-free on the event loop. */
    private volatile boolean anyWindow;

    /** No code stays valid longer than this, whatever its TTL or {@code expires_at} says. */
    public static final Duration MAX_CODE_LIFETIME = Duration.ofDays(7);

    /** Takes the initial peers and pairing codes from {@code config}; later changes come through {@link #applyPeers} and {@link #applyPairingCodes}. */
    public Authorizer(ReflectorConfig config, PeerStore store, AuditLog audit, Clock clock) {
        this.store = store;
        this.audit = audit;
        this.clock = clock;
        apply(config);
    }

    public void addListener(PairingListener listener) {
        listeners.add(listener);
    }

    /** Where codes from the configuration are claimed before they are accepted (default: nowhere else). */
    public void claimWith(PairingClaim claim) {
        this.claim = claim;
    }

    /** What a peer is told when a code was accepted elsewhere in the fleet, or its window was closed meanwhile. */
    public static final String SPENT_ELSEWHERE =
            "pairing failed: this code is no longer valid (it was used on another reflector of the fleet)";
    /** What a peer is told when the code cannot be claimed now; the code stays open. */
    public static final String CLAIM_UNAVAILABLE =
            "pairing failed: the reflector cannot reach its cluster to claim the code; try again in a minute";

    /** The access an authenticated peer gets now. */
    public AccessLevel access(EndpointId peer) {
        if (isAuthorized(peer)) return AccessLevel.FULL;
        return pairingOpen() ? AccessLevel.PAIRING_ONLY : AccessLevel.DENIED;
    }

    public boolean isAuthorized(EndpointId peer) {
        return configured.containsKey(peer) || store.contains(peer);
    }

    /** Authorized peers: the configured ones and the paired ones, each counted once. */
    public int authorizedPeerCount() {
        Set<EndpointId> all = new HashSet<>(configured.keySet());
        all.addAll(store.peers());
        return all.size();
    }

    /** The configured display name of a peer, if the configuration gives one. */
    public Optional<String> peerName(EndpointId peer) {
        return configured.getOrDefault(peer, Optional.empty());
    }

    /** True while some pairing window is open (cheap, lock-free; expiry is rechecked by {@link #pair}). */
    public boolean pairingOpen() {
        if (!anyWindow) return false;
        synchronized (lock) {
            prune(Instant.now(clock));
            return !windows.isEmpty();
        }
    }

    /** The open window that expires first, if any; never the code. */
    public Optional<OpenPairingWindow> openWindow() {
        synchronized (lock) {
            prune(Instant.now(clock));
            return windows.stream()
                    .min(Comparator.comparing(w -> w.expiresAt().orElse(Instant.MAX)))
                    .map(w -> new OpenPairingWindow(w.name(), w.expiresAt()));
        }
    }

    /**
     * Opens the admin channel's pairing window, replacing the previous one. {@code code} is the
     * appliance's own code when the operator types it in (bidirectional pairing); otherwise a
     * fresh one is generated.
     *
     * @throws IllegalArgumentException when the TTL is not positive or the code is malformed
     */
    public PairingWindowInfo openWindow(Duration ttl, Optional<String> code) {
        if (ttl.isNegative() || ttl.isZero()) throw new IllegalArgumentException("pairing TTL must be positive");
        if (ttl.compareTo(MAX_CODE_LIFETIME) > 0) {
            throw new IllegalArgumentException("pairing TTL must be at most " + MAX_CODE_LIFETIME.toDays() + " days");
        }
        String normalized = code.isPresent() ? PairingCodes.normalize(code.get()) : PairingCodes.generate();
        Instant expiresAt = Instant.now(clock).plus(ttl).truncatedTo(ChronoUnit.SECONDS);
        synchronized (lock) {
            endLocalWindows(EndedWindows.Why.REPLACED, Instant.now(clock));
            windows.add(new Window(LOCAL_WINDOW, normalized, Optional.of(expiresAt), false));
            anyWindow = true;
        }
        auditWindowOpened(LOCAL_WINDOW, Optional.of(expiresAt));
        return new PairingWindowInfo(normalized, expiresAt, LOCAL_WINDOW);
    }

    /** {@link #pair(EndpointId, InetAddress, String)} without a source address (no per-address budget). */
    public PairingOutcome pair(EndpointId peer, String presentedCode) {
        return pair(peer, null, presentedCode);
    }

    /**
     * Tries {@code presentedCode} for {@code peer} connecting from {@code source}, within the
     * attempt budget of {@link PairingGuard}. Blocking (persists the peer); call off the event
     * loop. A peer that is already authorized succeeds without consuming any code.
     */
    public PairingOutcome pair(EndpointId peer, InetAddress source, String presentedCode) {
        if (isAuthorized(peer)) return PairingOutcome.alreadyAuthorized();
        Instant now = Instant.now(clock);
        Optional<PairingGuard.Refusal> refused = guard.admit(source, now);
        if (refused.isPresent()) {
            refused.get()
                    .auditReason()
                    .ifPresent(reason ->
                            audit.record(pairingFailed(peer, source, reason).withParams(Map.of("tested", false))));
            return PairingOutcome.failed(refused.get().message());
        }
        if (presentedCode == null || !PairingCodes.isValid(presentedCode)) {
            return failedAttempt(peer, source, now, "malformed code", List.of());
        }
        Window match;
        synchronized (lock) {
            prune(now);
            match = null;
            // Compare against every open window, so the time taken says nothing about which matched.
            for (Window w : windows) {
                if (PairingCodes.matches(w.code(), presentedCode) && match == null) match = w;
            }
            if (match == null) {
                String reason = ended.whyEnded(presentedCode, now)
                        .map(why -> why.reason)
                        .orElse("wrong code");
                List<Window> locked = countFailure(now);
                return failedAttempt(peer, source, now, reason, locked);
            }
            setAside(match);
        }
        // The admin channel's window is this reflector's alone; a config code may be shared.
        PairingClaim claimant = match.fromConfig() ? claim : PairingClaim.LOCAL;
        PairingClaim.Result claimed = claimant.claim(peer, match.name());
        synchronized (lock) {
            switch (claimed) {
                case UNAVAILABLE -> {
                    putBack(match);
                    LOG.warn("event=pairing_claim_unavailable peer={} window={}", peer, match.name());
                    return PairingOutcome.failed(CLAIM_UNAVAILABLE);
                }
                case SPENT -> {
                    spend(match, Instant.now(clock));
                    audit.record(pairingFailed(peer, source, "code used elsewhere in the fleet"));
                    LOG.info("event=pairing_code_spent_elsewhere peer={} window={}", peer, match.name());
                    return PairingOutcome.failed(SPENT_ELSEWHERE);
                }
                case WON -> {
                    try {
                        store.add(peer, match.name());
                    } catch (IOException e) {
                        LOG.error(
                                "event=paired_peer_not_saved peer={} file={} error=\"{}\"",
                                peer,
                                store.file(),
                                e.getMessage());
                        // A code claimed where others see it is spent; one only this reflector knows stays open.
                        if (claimant == PairingClaim.LOCAL) putBack(match);
                        else spend(match, now);
                        return PairingOutcome.failed("pairing failed: the reflector cannot save the paired peer");
                    }
                    spend(match, now);
                }
            }
        }
        guard.succeeded(source);
        audit.record(AuditEvent.of(AuditEventType.PEER_PAIRED)
                .withPeer(peer.toString())
                .withParams(Map.of("window", match.name())));
        LOG.info("event=peer_paired peer={} window={}", peer, match.name());
        for (PairingListener l : listeners) {
            try {
                l.onPaired(peer, match.name());
            } catch (RuntimeException e) {
                LOG.warn("event=pairing_listener_failed peer={} error=\"{}\"", peer, e.toString());
            }
        }
        return PairingOutcome.paired(match.name());
    }

    /**
     * Takes {@code w} out of the open windows while it is being claimed, so that no second peer
     * here matches it meanwhile; a config code is also marked consumed, so that a reload during
     * the claim does not reopen it. Under {@link #lock}.
     */
    private void setAside(Window w) {
        windows.remove(w);
        if (w.fromConfig()) consumedConfigCodes.add(w.configKey());
        anyWindow = !windows.isEmpty();
    }

    /** Reopens a window set aside, unless a reload dropped its code meanwhile. Under {@link #lock}. */
    private void putBack(Window w) {
        boolean stillConfigured = !w.fromConfig() || consumedConfigCodes.remove(w.configKey());
        if (stillConfigured) windows.add(w);
        anyWindow = !windows.isEmpty();
    }

    /** Ends a window set aside: its code was used (here or elsewhere). Under {@link #lock}. */
    private void spend(Window w, Instant now) {
        ended.add(w.code(), EndedWindows.Why.USED, now);
        windowFailures.remove(w.key());
    }

    /**
     * Counts a failed attempt against every open window (it was tested against all of them) and
     * closes those that reached {@link PairingGuard#WINDOW_FAILURE_LIMIT}. Under {@link #lock}.
     */
    private List<Window> countFailure(Instant now) {
        List<Window> locked = new ArrayList<>();
        for (Iterator<Window> it = windows.iterator(); it.hasNext(); ) {
            Window w = it.next();
            if (windowFailures.merge(w.key(), 1, Integer::sum) >= PairingGuard.WINDOW_FAILURE_LIMIT) {
                it.remove();
                ended.add(w.code(), EndedWindows.Why.LOCKED, now);
                windowFailures.remove(w.key());
                if (w.fromConfig()) consumedConfigCodes.add(w.configKey());
                locked.add(w);
            }
        }
        anyWindow = !windows.isEmpty();
        return locked;
    }

    /** Audits a tested attempt that failed (at most the guard's tested rate) and the windows it closed. */
    private PairingOutcome failedAttempt(
            EndpointId peer, InetAddress source, Instant now, String reason, List<Window> locked) {
        PairingGuard.Failure failure = guard.failed(source, now);
        audit.record(pairingFailed(peer, source, reason)
                .withParams(Map.of("failures_from_address", failure.failuresFromAddress())));
        failure.blockedFor().ifPresent(blocked -> {
            audit.record(AuditEvent.of(AuditEventType.PAIRING_BLOCKED)
                    .withPeer(peer.toString())
                    .withRemoteAddress(source.getHostAddress())
                    .withParams(Map.of(
                            "failures_from_address",
                            failure.failuresFromAddress(),
                            "blocked_for_sec",
                            blocked.toSeconds())));
            LOG.warn(
                    "event=pairing_address_blocked remote={} failures={} blocked_for_sec={}",
                    source.getHostAddress(),
                    failure.failuresFromAddress(),
                    blocked.toSeconds());
        });
        for (Window w : locked) {
            audit.record(AuditEvent.of(AuditEventType.PAIRING_LOCKED)
                    .withParams(Map.of("window", w.name(), "failed_attempts", PairingGuard.WINDOW_FAILURE_LIMIT)));
            LOG.warn(
                    "event=pairing_window_locked window={} failed_attempts={}",
                    w.name(),
                    PairingGuard.WINDOW_FAILURE_LIMIT);
        }
        return PairingOutcome.failed(PairingOutcome.FAILED);
    }

    private static AuditEvent pairingFailed(EndpointId peer, InetAddress source, String reason) {
        return AuditEvent.of(AuditEventType.PAIRING_FAILED)
                .withPeer(peer.toString())
                .withRemoteAddress(source == null ? null : source.getHostAddress())
                .withDecision("denied", reason);
    }

    /**
     * Closes the admin channel's pairing window before its expiry ({@code reflector pair --close}).
     * Windows from the configuration's {@code access.pairing_codes} stay: they close when the file
     * no longer lists them. Returns the window that was closed, if one was open.
     */
    public Optional<OpenPairingWindow> closeLocalWindow() {
        Optional<OpenPairingWindow> closed;
        synchronized (lock) {
            Instant now = Instant.now(clock);
            prune(now);
            closed = windows.stream()
                    .filter(w -> !w.fromConfig())
                    .findFirst()
                    .map(w -> new OpenPairingWindow(w.name(), w.expiresAt()));
            endLocalWindows(EndedWindows.Why.CLOSED, now);
            anyWindow = !windows.isEmpty();
        }
        closed.ifPresent(w -> {
            audit.record(AuditEvent.of(AuditEventType.PAIRING_CLOSED).withParams(Map.of("window", w.window())));
            LOG.info("event=pairing_closed window={}", w.window());
        });
        return closed;
    }

    /** Under {@link #lock}. */
    private void endLocalWindows(EndedWindows.Why why, Instant now) {
        for (Iterator<Window> it = windows.iterator(); it.hasNext(); ) {
            Window w = it.next();
            if (w.fromConfig()) continue;
            it.remove();
            windowFailures.remove(w.key());
            ended.add(w.code(), why, now);
        }
    }

    /** An authorized peer as {@code reflector peers list} shows it: from the configuration, paired, or both. */
    public record KnownPeer(
            EndpointId id, Optional<String> name, boolean configured, Optional<PeerStore.PairedPeer> paired) {}

    /** Every authorized peer, configured ones first in file order, then paired ones by Endpoint ID. */
    public List<KnownPeer> knownPeers() {
        Map<EndpointId, Optional<String>> config = configured;
        List<KnownPeer> all = new ArrayList<>();
        config.forEach((id, name) -> all.add(new KnownPeer(id, name, true, store.get(id))));
        store.peers().stream()
                .filter(id -> !config.containsKey(id))
                .sorted(Comparator.comparing(EndpointId::toString))
                .forEach(id -> all.add(new KnownPeer(id, Optional.empty(), false, store.get(id))));
        return all;
    }

    public boolean isConfigured(EndpointId peer) {
        return configured.containsKey(peer);
    }

    /**
     * The authorized peer {@code nameOrId} means: its Endpoint ID (any case), its configured name,
     * or an unambiguous start of its Endpoint ID such as {@code PP-7DN2-FF6E}.
     *
     * @throws IllegalArgumentException saying why no single peer matches
     */
    public EndpointId resolve(String nameOrId) {
        String wanted = nameOrId == null ? "" : nameOrId.strip();
        if (wanted.isEmpty()) throw new IllegalArgumentException("name the peer by its name or Endpoint ID");
        List<KnownPeer> peers = knownPeers();
        Optional<EndpointId> exact = asEndpointId(wanted);
        if (exact.isPresent()) {
            if (peers.stream().anyMatch(p -> p.id().equals(exact.get()))) return exact.get();
            throw new IllegalArgumentException("no authorized peer has Endpoint ID " + exact.get());
        }
        List<EndpointId> byName = peers.stream()
                .filter(p -> p.name().filter(wanted::equalsIgnoreCase).isPresent())
                .map(KnownPeer::id)
                .toList();
        String prefix = wanted.toUpperCase(java.util.Locale.ROOT);
        List<EndpointId> matches = !byName.isEmpty() || prefix.length() < 7
                ? byName
                : peers.stream()
                        .map(KnownPeer::id)
                        .filter(id -> id.toString().startsWith(prefix))
                        .toList();
        if (matches.size() == 1) return matches.get(0);
        if (matches.isEmpty()) {
            throw new IllegalArgumentException("no authorized peer is named or has an Endpoint ID starting with \""
                    + wanted + "\" (see: reflector peers list)");
        }
        throw new IllegalArgumentException(
                "\"" + wanted + "\" matches " + matches.size() + " peers; give the full Endpoint ID");
    }

    private static Optional<EndpointId> asEndpointId(String text) {
        try {
            return Optional.of(EndpointId.parse(text));
        } catch (IllegalArgumentException notAnId) {
            return Optional.empty();
        }
    }

    /**
     * Removes a paired peer from the peer file (configured peers are removed by changing the
     * configuration). The caller closes its connections.
     */
    public boolean unpair(EndpointId peer) throws IOException {
        return store.remove(peer);
    }

    /** {@link #applyPeers} and {@link #applyPairingCodes} from one configuration. */
    public Set<EndpointId> apply(ReflectorConfig config) {
        Set<EndpointId> removed = applyPeers(ConfiguredPeers.of(config.access));
        applyPairingCodes(config.access.pairingCodes);
        return removed;
    }

    /**
     * Takes the configured allowlist. Returns the peers that were authorized before and are not
     * any more, whose connections and sessions the caller ends.
     */
    public Set<EndpointId> applyPeers(ConfiguredPeers peers) {
        Map<EndpointId, Optional<String>> next = new LinkedHashMap<>();
        for (ConfiguredPeers.Peer p : peers.all()) next.put(p.id(), p.name());
        Map<EndpointId, Optional<String>> previous = configured;
        configured = java.util.Collections.unmodifiableMap(next); // keeps the file's order for peers list

        Set<EndpointId> removed = new HashSet<>(previous.keySet());
        removed.removeAll(next.keySet());
        removed.removeIf(store::contains);
        return removed;
    }

    /** Takes the configured pairing codes: new ones open, dropped ones close, consumed ones stay closed. */
    public void applyPairingCodes(List<ReflectorConfig.PairingCode> codes) {
        List<Window> opened = new ArrayList<>();
        synchronized (lock) {
            Set<String> before = new HashSet<>();
            for (Window w : windows) if (w.fromConfig()) before.add(w.configKey());
            windows.removeIf(Window::fromConfig);
            Set<String> present = new HashSet<>();
            Instant now = Instant.now(clock);
            for (ReflectorConfig.PairingCode pc : codes) {
                Optional<Window> w = configWindow(pc).map(c -> capLifetime(c, now));
                if (w.isEmpty()) continue;
                present.add(w.get().configKey());
                if (consumedConfigCodes.contains(w.get().configKey())) continue;
                windows.add(w.get());
                if (!before.contains(w.get().configKey())) opened.add(w.get());
            }
            // Forget consumed codes once the configuration no longer lists them.
            consumedConfigCodes.retainAll(present);
            configCodesSeen.keySet().retainAll(present);
            windowFailures
                    .keySet()
                    .removeIf(k -> windows.stream().noneMatch(w -> w.key().equals(k)));
            prune(Instant.now(clock));
            anyWindow = !windows.isEmpty();
        }
        for (Window w : opened) auditWindowOpened(w.name(), w.expiresAt());
    }

    private Optional<Window> configWindow(ReflectorConfig.PairingCode pc) {
        if (pc.code == null || !PairingCodes.isValid(pc.code)) {
            LOG.warn("event=config_pairing_code_ignored window={} error=\"malformed code\"", pc.window);
            return Optional.empty();
        }
        Optional<Instant> expiresAt = Optional.empty();
        if (pc.expiresAt != null && !pc.expiresAt.isBlank()) {
            try {
                // Onto the reflector's steady time line: a later step of the system clock does not
                // move it; the code lasts the time that was left when the configuration was read.
                expiresAt = Optional.of(SteadyClock.fromWall(clock, Rfc3339.parse(pc.expiresAt)));
            } catch (IllegalArgumentException e) {
                LOG.warn("event=config_pairing_code_ignored window={} error=\"expires_at is not RFC 3339\"", pc.window);
                return Optional.empty();
            }
        }
        String name = pc.window == null || pc.window.isBlank() ? "config" : pc.window;
        return Optional.of(new Window(name, PairingCodes.normalize(pc.code), expiresAt, true));
    }

    /**
     * A configured code expires at most {@link #MAX_CODE_LIFETIME} after it was first seen: a
     * code without {@code expires_at} (or with a later one) would otherwise stay guessable for
     * as long as the file keeps it. Under {@link #lock}.
     */
    private Window capLifetime(Window w, Instant now) {
        Instant cap = configCodesSeen.computeIfAbsent(w.configKey(), k -> now).plus(MAX_CODE_LIFETIME);
        if (w.expiresAt().isPresent() && !w.expiresAt().get().isAfter(cap)) return w;
        return new Window(w.name(), w.code(), Optional.of(cap), true);
    }

    private void prune(Instant now) {
        for (Iterator<Window> it = windows.iterator(); it.hasNext(); ) {
            Window w = it.next();
            if (w.open(now)) continue;
            it.remove();
            ended.add(w.code(), EndedWindows.Why.EXPIRED, now);
        }
        anyWindow = !windows.isEmpty();
    }

    private void auditWindowOpened(String window, Optional<Instant> expiresAt) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("window", window);
        expiresAt.ifPresent(t -> params.put("expires_at", t.toString()));
        audit.record(AuditEvent.of(AuditEventType.PAIRING_ENABLED).withParams(params));
        LOG.info(
                "event=pairing_enabled window={} expires_at={}",
                window,
                expiresAt.map(Instant::toString).orElse("never"));
    }
}
