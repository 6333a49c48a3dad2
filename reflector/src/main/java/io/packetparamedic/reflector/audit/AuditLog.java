package io.packetparamedic.reflector.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.packetparamedic.api.config.ReflectorConfig;
import io.packetparamedic.reflector.wire.LinkCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only JSON Lines audit log (spec section 8). Lines are written by one background
 * thread from a bounded queue, so callers on the Netty event loop never block on disk. A write
 * failure is logged and counted, never thrown: auditing trouble must not take the server down.
 * When the queue is full the event is dropped and counted (and logged once per burst) rather than
 * growing without bound.
 *
 * <p>The file is bounded too: once a line would take it past {@link Rotation#maxBytes()} it is
 * renamed to {@code audit.jsonl.1} (older ones move up to {@code .2} … and the oldest beyond
 * {@link Rotation#keep()} is deleted) and a new file is started, so an authorized peer sending
 * request after request cannot fill the disk. Each file stays append-only. Files are created
 * with mode 0600: audit lines name peers and their addresses.
 *
 * <p><b>Disk trouble.</b> A line that cannot be written whole (disk full, I/O error) is cut back
 * off the file, so the file only ever holds whole lines; the event is lost and counted
 * ({@code reflector_audit_write_failures_total}), and a WARN says so at most once per
 * {@link #FAILURE_REPORT_INTERVAL}. Each later event tries again, so writing resumes by itself
 * when space returns. A file whose last line was cut by a crash (no final newline) has that
 * fragment removed when it is opened, so the next line starts on a line of its own.
 */
public final class AuditLog implements AutoCloseable, MeterBinder {

    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
    private static final int QUEUE_CAPACITY = 16_384;
    private static final ObjectMapper JSON = LinkCodec.MAPPER;
    /** Queued after the events it covers; the writer counts it down once they are written. */
    private record Flush(CountDownLatch done) {}

    private static final Object STOP = new Object();
    /** A failing disk is reported at most this often (the counter keeps the exact figure). */
    static final java.time.Duration FAILURE_REPORT_INTERVAL = java.time.Duration.ofMinutes(1);
    /** How far back from the end a partial last line is looked for; longer lines do not occur. */
    private static final int TAIL_SCAN_BYTES = 4 << 20;

    /** The size at which the file is rotated, and how many rotated files are kept. */
    public record Rotation(long maxBytes, int keep) {
        public static final Rotation DEFAULT = new Rotation(100L << 20, 5);

        public static Rotation of(ReflectorConfig config) {
            return new Rotation(config.logging.auditLogMaxBytes, config.logging.auditLogKeep);
        }
    }

    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    private final Path path;
    private final Rotation rotation;
    private final String endpointId;
    private final Clock clock;
    /** Stamped {@link AuditEvent}s, {@link Flush} markers and the {@link #STOP} marker, in order. */
    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);

    private final AtomicLong written = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong rotations = new AtomicLong();
    private final Thread writer;
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** Writer thread only: failures not yet reported, and when the last report went out (nanoTime). */
    private long unreportedFailures;

    private long lastFailureReport;
    private boolean failing;

    public AuditLog(Path path, String endpointId) {
        this(path, endpointId, Clock.systemUTC());
    }

    public AuditLog(Path path, String endpointId, Clock clock) {
        this(path, endpointId, clock, Rotation.DEFAULT);
    }

    /** The audit log a configuration names, rotated as {@code [logging]} says. */
    public static AuditLog of(ReflectorConfig config, String endpointId, Clock clock) {
        return new AuditLog(config.auditLogPath(), endpointId, clock, Rotation.of(config));
    }

    public AuditLog(Path path, String endpointId, Clock clock, Rotation rotation) {
        this.path = path.toAbsolutePath();
        this.rotation = rotation;
        this.endpointId = endpointId;
        this.clock = clock;
        this.writer = new Thread(this::drain, "audit-writer");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    public Path path() {
        return path;
    }

    /** Queues an event; never blocks. */
    public void record(AuditEvent event) {
        String ts = Instant.now(clock).truncatedTo(ChronoUnit.MILLIS).toString();
        if (!queue.offer(event.stamped(ts, endpointId))) {
            if (dropped.getAndIncrement() == 0) {
                LOG.warn("event=audit_queue_full path={} capacity={}", path, QUEUE_CAPACITY);
            }
        }
    }

    public long writtenCount() {
        return written.get();
    }

    public long failureCount() {
        return failures.get();
    }

    public long droppedCount() {
        return dropped.get();
    }

    /**
     * Waits until every event recorded before this call is written (or has failed). Off the event
     * loop only: for tests and shutdown.
     */
    public boolean flush(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        Flush marker = new Flush(new CountDownLatch(1));
        if (!queue.offer(marker, timeout, unit)) return false;
        return marker.done().await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void drain() {
        FileChannel channel = null;
        try {
            for (Object item = queue.take(); item != STOP; item = queue.take()) {
                if (item instanceof Flush flush) {
                    flush.done().countDown();
                    continue;
                }
                AuditEvent event = (AuditEvent) item;
                try {
                    if (channel == null || !channel.isOpen()) channel = open();
                    byte[] line = encode(event);
                    if (line == null) continue;
                    if (channel.size() > 0 && channel.size() + line.length > rotation.maxBytes()) {
                        closeQuietly(channel);
                        rotate();
                        channel = open();
                    }
                    write(channel, line);
                    recovered();
                } catch (IOException e) {
                    failed(e);
                    closeQuietly(channel);
                    channel = null;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly(channel);
            stopped.countDown();
        }
    }

    private void failed(IOException e) {
        failures.incrementAndGet();
        unreportedFailures++;
        long now = System.nanoTime();
        if (!failing || now - lastFailureReport >= FAILURE_REPORT_INTERVAL.toNanos()) {
            LOG.warn(
                    "event=audit_write_failed path={} events_lost={} error=\"{}\"",
                    path,
                    unreportedFailures,
                    e.getMessage());
            unreportedFailures = 0;
            lastFailureReport = now;
        }
        failing = true;
    }

    private void recovered() {
        if (!failing) return;
        failing = false;
        LOG.info("event=audit_write_recovered path={} events_lost_total={}", path, failures.get());
        unreportedFailures = 0;
    }

    private FileChannel open() throws IOException {
        Path parent = path.getParent();
        if (parent != null) Files.createDirectories(parent);
        if (Files.exists(path) && Files.size(path) > 0) {
            try (FileChannel repair = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                dropPartialLastLine(repair);
            }
        }
        try {
            return FileChannel.open(
                    path,
                    Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND),
                    OWNER_ONLY);
        } catch (UnsupportedOperationException notPosix) {
            return FileChannel.open(
                    path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        }
    }

    /** Cuts a last line that has no newline (a crash mid-write) back to the end of the line before it. */
    private void dropPartialLastLine(FileChannel channel) throws IOException {
        long size = channel.size();
        if (size == 0 || lastByte(channel, size) == '\n') return;
        long scanFrom = Math.max(0, size - TAIL_SCAN_BYTES);
        ByteBuffer tail = ByteBuffer.allocate((int) (size - scanFrom));
        while (tail.hasRemaining() && channel.read(tail, scanFrom + tail.position()) >= 0) {
            // read the whole tail
        }
        int keep = 0;
        for (int i = tail.position() - 1; i >= 0; i--) {
            if (tail.get(i) == '\n') {
                keep = i + 1;
                break;
            }
        }
        long newSize = scanFrom + keep;
        channel.truncate(newSize);
        LOG.warn("event=audit_partial_line_removed path={} bytes={}", path, size - newSize);
    }

    private static byte lastByte(FileChannel channel, long size) throws IOException {
        ByteBuffer one = ByteBuffer.allocate(1);
        channel.read(one, size - 1);
        return one.get(0);
    }

    /** audit.jsonl.(keep-1) → .keep (replacing it), …, audit.jsonl → .1. */
    private void rotate() throws IOException {
        for (int i = rotation.keep() - 1; i >= 1; i--) {
            Path from = rotated(i);
            if (Files.exists(from)) Files.move(from, rotated(i + 1), StandardCopyOption.REPLACE_EXISTING);
        }
        if (rotation.keep() >= 1) Files.move(path, rotated(1), StandardCopyOption.REPLACE_EXISTING);
        else Files.delete(path);
        rotations.incrementAndGet();
        LOG.info("event=audit_log_rotated path={} max_bytes={} keep={}", path, rotation.maxBytes(), rotation.keep());
    }

    Path rotated(int index) {
        return path.resolveSibling(path.getFileName() + "." + index);
    }

    public long rotationCount() {
        return rotations.get();
    }

    private byte[] encode(AuditEvent event) {
        try {
            return (JSON.writeValueAsString(event) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            failures.incrementAndGet();
            LOG.error("event=audit_encode_failed type={} error=\"{}\"", event.eventType(), e.getOriginalMessage());
            return null;
        }
    }

    /** Appends one whole line or, failing that, nothing: a partly written line is cut off again. */
    private void write(FileChannel channel, byte[] line) throws IOException {
        long before = channel.size();
        ByteBuffer buf = ByteBuffer.wrap(line);
        try {
            while (buf.hasRemaining()) channel.write(buf);
        } catch (IOException e) {
            try {
                channel.truncate(before); // frees space, so it works on a full disk; if not, open() repairs
            } catch (IOException ignored) {
                // the partial line stays until the next open cuts it
            }
            throw e;
        }
        written.incrementAndGet();
    }

    /** {@code reflector_audit_write_failures_total} and {@code reflector_audit_events_dropped_total}. */
    @Override
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder("reflector.audit.write.failures", failures, AtomicLong::get)
                .description("Audit events that could not be written (disk full, I/O error) and are lost")
                .register(registry);
        FunctionCounter.builder("reflector.audit.events.dropped", dropped, AtomicLong::get)
                .description("Audit events dropped because the write queue was full")
                .register(registry);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel == null) return;
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing more to do: the next write reopens
        }
    }

    @Override
    public void close() {
        try {
            queue.put(STOP);
            stopped.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
