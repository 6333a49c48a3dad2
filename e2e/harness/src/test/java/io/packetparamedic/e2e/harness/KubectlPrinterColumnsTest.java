package io.packetparamedic.e2e.harness;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** kubectl renders a CRD's additionalPrinterColumns (server-side printing of the Table). */
@KubeCluster
class KubectlPrinterColumnsTest {

    @Test
    void kubectlGetShowsTheAdditionalPrinterColumns(KubeTestCluster cluster, TestNamespace ns) {
        Widgets.install(cluster.client());
        var widgets = Widgets.in(cluster.client()).inNamespace(ns.name());
        GenericKubernetesResource w = widgets.resource(Widgets.widget(ns.name(), "blue-three", 3, "blue"))
                .create();
        w.getAdditionalProperties().put("status", Map.of("phase", "Ready", "observedSize", 3));
        widgets.resource(w).updateStatus();
        widgets.resource(Widgets.widget(ns.name(), "red-seven", 7, "red")).create();

        KubectlResult get = cluster.kubectl("get", "widgets", "-n", ns.name()).orThrow();
        Table table = Table.parse(get.stdout());
        assertThat(table.header()).containsExactly("NAME", "SIZE", "COLOR", "PHASE", "AGE");
        assertThat(table.rows()).hasSize(2);
        assertThat(table.rows().get(0))
                .containsEntry("NAME", "blue-three")
                .containsEntry("SIZE", "3")
                .containsEntry("COLOR", "blue")
                .containsEntry("PHASE", "Ready");
        // No status yet: the Phase cell is empty.
        assertThat(table.rows().get(1))
                .containsEntry("NAME", "red-seven")
                .containsEntry("SIZE", "7")
                .containsEntry("COLOR", "red")
                .containsEntry("PHASE", "");
        assertThat(table.rows()).allSatisfy(r -> assertThat(r.get("AGE")).matches("\\d+[smhd].*"));

        // priority: 1 columns appear only in the wide view.
        KubectlResult wide = cluster.kubectl("get", "widget", "blue-three", "-n", ns.name(), "-o", "wide")
                .orThrow();
        Table wideTable = Table.parse(wide.stdout());
        assertThat(wideTable.header()).containsExactly("NAME", "SIZE", "COLOR", "PHASE", "OBSERVED", "AGE");
        assertThat(wideTable.rows().get(0)).containsEntry("PHASE", "Ready").containsEntry("OBSERVED", "3");
    }

    /**
     * kubectl's column layout: cells are left-aligned under their header, and empty cells are
     * blank, so columns are cut at the header's word positions rather than split on spaces.
     */
    record Table(List<String> header, List<Map<String, String>> rows) {
        static Table parse(String out) {
            List<String> lines = out.lines().filter(l -> !l.isBlank()).toList();
            List<String> names = new ArrayList<>();
            List<Integer> starts = new ArrayList<>();
            Matcher m = Pattern.compile("\\S+").matcher(lines.get(0));
            while (m.find()) {
                names.add(m.group());
                starts.add(m.start());
            }
            List<Map<String, String>> rows = new ArrayList<>();
            for (String line : lines.subList(1, lines.size())) {
                Map<String, String> row = new LinkedHashMap<>();
                for (int i = 0; i < names.size(); i++) {
                    int from = Math.min(starts.get(i), line.length());
                    int to = i + 1 < names.size() ? Math.min(starts.get(i + 1), line.length()) : line.length();
                    row.put(names.get(i), line.substring(from, to).trim());
                }
                rows.add(row);
            }
            return new Table(names, rows);
        }
    }
}
