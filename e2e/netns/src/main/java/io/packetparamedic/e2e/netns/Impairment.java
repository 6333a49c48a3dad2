package io.packetparamedic.e2e.netns;

/**
 * Link impairment in one direction, as {@code tc qdisc ... netem delay D J loss L%} states it:
 * every packet is delayed by {@code delayMs} plus a uniform draw from ±{@code jitterMs}, and
 * {@code lossPercent} of packets are dropped.
 */
public record Impairment(double delayMs, double jitterMs, double lossPercent) {

    public static final Impairment NONE = new Impairment(0, 0, 0);

    public Impairment {
        if (delayMs < 0 || jitterMs < 0 || jitterMs > delayMs || lossPercent < 0 || lossPercent > 100) {
            throw new IllegalArgumentException("impairment out of range: delay " + delayMs + " ms, jitter " + jitterMs
                    + " ms, loss " + lossPercent + " %");
        }
    }

    public boolean none() {
        return delayMs == 0 && jitterMs == 0 && lossPercent == 0;
    }

    /** The {@code tc netem} arguments for this impairment. */
    String[] netemArgs() {
        return new String[] {"delay", micros(delayMs) + "us", micros(jitterMs) + "us", "loss", lossPercent + "%"};
    }

    static long micros(double ms) {
        return Math.round(ms * 1000);
    }

    @Override
    public String toString() {
        return none()
                ? "none"
                : String.format(
                        java.util.Locale.ROOT, "delay %.0f ms ± %.0f ms, loss %.1f %%", delayMs, jitterMs, lossPercent);
    }
}
