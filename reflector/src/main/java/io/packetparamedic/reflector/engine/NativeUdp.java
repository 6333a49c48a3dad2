package io.packetparamedic.reflector.engine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reflector's native UDP data path, {@code libppdata} (reflector/src/main/c/ppdata.c): a
 * batch of datagrams in and a batch of answers out per JNI call, with the kernel's receive
 * timestamp, TTL and TOS of every datagram. The library travels in the jar as {@code
 * native/linux-<arch>/libppdata.so} and is loaded from a private copy in the temporary directory
 * (a jar entry cannot be mapped), once per JVM; where it is missing or cannot load, {@link
 * #available()} says false and the engines keep to Netty.
 *
 * <p>Buffers passed in are direct: {@code slots} holds {@code slotSize} octets per datagram and
 * {@code meta} one {@value #META_SIZE}-octet record per slot in native byte order, at the offsets
 * below (the C struct {@code slot_meta}).
 */
final class NativeUdp {

    static final int META_SIZE = 72;
    static final int LENGTH = 0;
    static final int REPLY_LENGTH = 4;
    static final int RX_NANOS = 8;
    static final int TTL = 16;
    static final int TOS = 20;
    static final int REPLY_TOS = 24;
    static final int FAMILY = 28;
    static final int PORT = 32;
    static final int ADDRESS = 40;
    static final int FLAGS = 56;
    /** Set by {@link #send}'s STAMP reflection: where in the answer it writes T3 (NTP format), -1 for nowhere. */
    static final int T3_OFFSET = 60;
    /** Set by Java: {@link #REFLECT_STAMP} to have {@link #send} make the answer. */
    static final int REFLECT = 64;
    /** Set by Java with {@link #REFLECT_STAMP}: the answer's Sequence Number. */
    static final int STAMP_SEQUENCE = 68;
    /** In {@code REFLECT}: an unauthenticated STAMP answer, as {@link StampReflection} makes it. */
    static final int REFLECT_STAMP = 1;
    /** In {@code FLAGS}: the datagram was longer than its slot. */
    static final int TRUNCATED = 1;
    /** Most datagrams one call moves (the C side's batch arrays). */
    static final int MAX_BATCH = 64;

    private static final Logger LOG = LoggerFactory.getLogger(NativeUdp.class);
    private static final String LIBRARY = "libppdata.so";

    private NativeUdp() {}

    /** Whether the library is loaded and its calls may be used. */
    static boolean available() {
        return Loaded.CAUSE == null;
    }

    /** Why the library is not available, or null when it is. */
    static String unavailabilityCause() {
        return Loaded.CAUSE;
    }

    /** Loads the library on first use; the outcome holds for the JVM's life. */
    private static final class Loaded {
        static final String CAUSE = load();

        private static String load() {
            String cause = tryLoad();
            if (cause != null) {
                LOG.info("event=native_data_path_unavailable transport=netty cause=\"{}\"", cause);
            }
            return cause;
        }

        private static String tryLoad() {
            String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
            if (!os.contains("linux")) return "not Linux (" + os + ")";
            return loadResource("/native/linux-" + arch() + "/" + LIBRARY);
        }

        private static String arch() {
            String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
            return arch.equals("amd64") || arch.equals("x86_64") ? "x86_64" : arch;
        }
    }

    /**
     * Loads the library from a class-path resource through a private temporary copy.
     *
     * @return null once loaded, else why not
     */
    static String loadResource(String resource) {
        try (InputStream in = NativeUdp.class.getResourceAsStream(resource)) {
            if (in == null) return "no " + resource + " in the class path (built without gcc?)";
            Path dir = Files.createTempDirectory(
                    "ppdata", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path copy = dir.resolve(LIBRARY);
            Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
            try {
                System.load(copy.toString());
            } finally {
                // Mapped once loaded: the file is not needed any more, and nothing is left behind.
                Files.deleteIfExists(copy);
                Files.deleteIfExists(dir);
            }
            return null;
        } catch (IOException | UnsatisfiedLinkError | SecurityException e) {
            return e.toString();
        }
    }

    /**
     * A bound UDP socket with kernel receive timestamps, TTL and TOS reporting on.
     *
     * @return the descriptor, or minus an errno
     */
    static native int open(boolean ipv6, int port, int bufferBytes, int receiveTimeoutMillis, boolean ancillary);

    /** @return the bound port, or minus an errno */
    static native int localPort(int fd);

    /**
     * Polls for a datagram without sleeping for up to {@code busyPollMicros}, then waits up to the
     * receive timeout for one; then takes what else is queued.
     *
     * @return datagrams received (0: timed out, interrupted or shut down), or minus an errno
     */
    static native int receive(int fd, ByteBuffer slots, int slotSize, ByteBuffer meta, int max, int busyPollMicros);

    /**
     * Sends the slots among the first {@code count} whose reply length is not negative back to
     * their sources, without waiting; one the kernel refuses is skipped. First makes the answers
     * of the slots marked {@link #REFLECT_STAMP}; then, if a slot asks for T3 ({@link #T3_OFFSET}),
     * reads the wall clock once, writes it into those answers and records their T3 - T2 in
     * {@code residence} (a {@link
     * io.packetparamedic.reflector.metrics.DurationHistogram.Recorder}'s buffer, or null).
     *
     * @return {@code (bytes sent << 16) | datagrams sent}, or minus an errno
     */
    static native long send(int fd, ByteBuffer slots, int slotSize, ByteBuffer meta, int count, ByteBuffer residence);

    /**
     * The STAMP reflection {@link #send} does for a slot marked {@link #REFLECT_STAMP}, alone, on
     * {@code packet} with the first record of {@code meta} (its receive time, TTL, TOS and
     * Sequence Number; the answer's TOS is left in it): for tests that compare it with {@link
     * StampReflection}.
     *
     * @return the answer's length, or -1 for none
     */
    static native int reflectStamp(ByteBuffer packet, int length, ByteBuffer meta);

    /** Wakes a thread blocked in {@link #receive}; the descriptor stays open. */
    static native void shutdown(int fd);

    static native int close(int fd);

    /** The C library's text for an errno. */
    static native String describe(int errno);
}
