package io.packetparamedic.e2e.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading `kubectl get reflectors` rows by header; no cluster is started here. */
class KubectlTableRowTest {

    /**
     * As kubectl prints a Single instance and two PerNode ones (a fleet has no top-level Endpoint
     * ID or address, and here no session count): blank cells, columns three spaces apart.
     */
    static final String REFLECTORS = """
            NAME     ENDPOINT ID   READY   REASON           ADDRESS             PEERS   ACTIVE   AGE
            edge     PP-7Q4M       True    HeartbeatFresh   10.200.7.2:4000     3       0        5m
            fleet                  1/2     HeartbeatStale                       20               2m10s
            fleet2                 2/2     AllNodesReady                        20      0        40s
            """;

    static KubectlResult result(String stdout) {
        return new KubectlResult(List.of("kubectl", "get", "reflectors"), 0, stdout, "");
    }

    @Test
    void readsEveryCellOfARowByItsHeader() {
        assertThat(result(REFLECTORS).tableRow("edge"))
                .containsExactly(
                        Map.entry("NAME", "edge"),
                        Map.entry("ENDPOINT ID", "PP-7Q4M"),
                        Map.entry("READY", "True"),
                        Map.entry("REASON", "HeartbeatFresh"),
                        Map.entry("ADDRESS", "10.200.7.2:4000"),
                        Map.entry("PEERS", "3"),
                        Map.entry("ACTIVE", "0"),
                        Map.entry("AGE", "5m"));
    }

    @Test
    void blankCellsStayBlankAndDoNotShiftTheCellsAfterThem() {
        assertThat(result(REFLECTORS).tableRow("fleet"))
                .containsEntry("ENDPOINT ID", "")
                .containsEntry("READY", "1/2")
                .containsEntry("REASON", "HeartbeatStale")
                .containsEntry("ADDRESS", "")
                .containsEntry("PEERS", "20")
                .containsEntry("ACTIVE", "")
                .containsEntry("AGE", "2m10s");
    }

    @Test
    void aNameIsMatchedWholeNotAsThePrefixOfAnother() {
        assertThat(result(REFLECTORS).tableRow("fleet2")).containsEntry("READY", "2/2");
        assertThat(result(REFLECTORS).tableRow("fleet")).containsEntry("READY", "1/2");
    }

    @Test
    void aMissingRowOrAnEmptyOutputSaysSo() {
        assertThatThrownBy(() -> result(REFLECTORS).tableRow("core"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no row core");
        assertThatThrownBy(() -> result("").tableRow("edge"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no table");
    }
}
