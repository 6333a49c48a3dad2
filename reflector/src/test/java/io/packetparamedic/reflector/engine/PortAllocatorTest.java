package io.packetparamedic.reflector.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Real ports on this machine; each assertion fails by chance with a probability below 1e-15. */
class PortAllocatorTest {

    private static final int SIZE = 50;

    @Test
    void portsAreDrawnAtRandomNotInOrder() {
        int base = freeRangeBase(SIZE);
        Set<Integer> firsts = new HashSet<>();
        int consecutive = 0;
        int trials = 20;
        for (int i = 0; i < trials; i++) {
            PortAllocator fresh = new PortAllocator();
            int a = fresh.acquire(base, base + SIZE - 1).orElseThrow();
            int b = fresh.acquire(base, base + SIZE - 1).orElseThrow();
            assertThat(a).isBetween(base, base + SIZE - 1).isNotEqualTo(b);
            assertThat(b).isBetween(base, base + SIZE - 1);
            firsts.add(a);
            if (b == a + 1) consecutive++;
        }
        // In order, every fresh allocator would start at the same port and continue with the next.
        // At random, 20 draws from 50 ports hit fewer than 5 distinct ones with p < 1e-16, and a
        // second port right after the first happens 20 times in 20 with p < 1e-33.
        assertThat(firsts).hasSizeGreaterThanOrEqualTo(5);
        assertThat(consecutive).isLessThan(trials);
    }

    @Test
    void aJustReleasedPortIsReusedOnlyWhenNothingElseIsFree() {
        int base = freeRangeBase(2);
        PortAllocator ports = new PortAllocator();
        for (int i = 0; i < 10; i++) {
            int first = ports.acquire(base, base + 1).orElseThrow();
            ports.release(first);
            int next = ports.acquire(base, base + 1).orElseThrow();
            assertThat(next).isNotEqualTo(first);
            ports.release(next);
        }
        int a = ports.acquire(base, base + 1).orElseThrow();
        int b = ports.acquire(base, base + 1).orElseThrow();
        assertThat(Set.of(a, b)).containsExactlyInAnyOrder(base, base + 1);
        assertThat(ports.acquire(base, base + 1)).isEmpty();
    }

    private static int freeRangeBase(int size) {
        SecureRandom random = new SecureRandom();
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = 20000 + random.nextInt(300) * 100;
            boolean free = true;
            for (int p = base; p < base + size && free; p++) free = PortAllocator.bindable(p);
            if (free) return base;
        }
        throw new IllegalStateException("no free port range");
    }
}
