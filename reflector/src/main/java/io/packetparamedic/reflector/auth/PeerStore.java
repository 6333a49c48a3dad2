package io.packetparamedic.reflector.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.packetparamedic.api.identity.EndpointId;
import io.packetparamedic.api.time.Rfc3339;
import io.packetparamedic.reflector.wire.LinkCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Peers enrolled by pairing, persisted as JSON in the data directory so they stay authorized
 * across restarts. Every change rewrites the whole (small) file atomically: a temporary file in
 * the same directory is written and fsynced, then renamed over the old one, so a crash leaves
 * either the old list or the new one. Reads are lock-free (event loop); writes are serialized.
 */
public final class PeerStore {

    public static final String FILE_NAME = "paired_peers.json";
    private static final ObjectMapper JSON = LinkCodec.MAPPER;

    /** One persisted peer; {@code window} names the pairing window it came through. */
    public record PairedPeer(String endpointId, String pairedAt, String window) {}

    record Document(List<PairedPeer> pairedPeers) {}

    private final Path file;
    private final Clock clock;
    private final Map<EndpointId, PairedPeer> peers = new ConcurrentHashMap<>();

    private PeerStore(Path file, Clock clock) {
        this.file = file.toAbsolutePath();
        this.clock = clock;
    }

    /**
     * Loads {@code dataDir/paired_peers.json}; a missing file is an empty store.
     *
     * @throws IllegalStateException naming the file when it exists but cannot be read or parsed:
     *     silently starting without the paired peers would lock them out
     */
    public static PeerStore open(Path dataDir, Clock clock) {
        PeerStore store = new PeerStore(dataDir.resolve(FILE_NAME), clock);
        store.load();
        return store;
    }

    private void load() {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read paired peers file " + file + ": " + e.getMessage(), e);
        }
        Document doc;
        try {
            doc = JSON.readValue(bytes, Document.class);
        } catch (IOException e) {
            throw new IllegalStateException("paired peers file " + file + " is not valid JSON: " + e.getMessage(), e);
        }
        if (doc.pairedPeers() == null) return;
        for (PairedPeer p : doc.pairedPeers()) {
            try {
                peers.put(EndpointId.parse(p.endpointId()), p);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(
                        "paired peers file " + file + " holds an invalid Endpoint ID: " + e.getMessage(), e);
            }
        }
    }

    public Path file() {
        return file;
    }

    public boolean contains(EndpointId peer) {
        return peers.containsKey(peer);
    }

    public Set<EndpointId> peers() {
        return Set.copyOf(peers.keySet());
    }

    public int size() {
        return peers.size();
    }

    public java.util.Optional<PairedPeer> get(EndpointId peer) {
        return java.util.Optional.ofNullable(peers.get(peer));
    }

    public List<PairedPeer> all() {
        return List.copyOf(peers.values());
    }

    /** Adds and persists {@code peer}; when the write fails the store is unchanged and the exception says why. */
    public synchronized void add(EndpointId peer, String window) throws IOException {
        PairedPeer entry = new PairedPeer(peer.toString(), Rfc3339.format(Instant.now(clock)), window);
        PairedPeer previous = peers.put(peer, entry);
        try {
            write();
        } catch (IOException e) {
            if (previous == null) peers.remove(peer);
            else peers.put(peer, previous);
            throw e;
        }
    }

    /** Removes and persists; false when the peer was not there. */
    public synchronized boolean remove(EndpointId peer) throws IOException {
        PairedPeer previous = peers.remove(peer);
        if (previous == null) return false;
        try {
            write();
        } catch (IOException e) {
            peers.put(peer, previous);
            throw e;
        }
        return true;
    }

    private void write() throws IOException {
        List<PairedPeer> sorted = new ArrayList<>(peers.values());
        sorted.sort(Comparator.comparing(PairedPeer::endpointId));
        byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(new Document(sorted));
        Path dir = file.getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(
                dir,
                "." + file.getFileName(),
                ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) ch.write(buf);
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            syncDirectory(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Makes the rename itself durable; not every file system allows opening a directory, which is fine. */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // best effort
        }
    }
}
