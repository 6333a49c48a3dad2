package io.packetparamedic.packaging;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The rules and metric names of a rendered PrometheusRule. */
final class PrometheusRules {

    /**
     * Names of the operator's and the reflectors' series: PromQL functions never start so; a label
     * matcher (name=, name=~, name!~) is not a series, a comparison (name == 0) is.
     */
    private static final Pattern METRIC =
            Pattern.compile("\\b((?:packetparamedic|reflector)_[a-z_]+)\\b(?!\\s*(?:=(?!=)|=~|!~))");

    private PrometheusRules() {}

    static List<JsonNode> rules(JsonNode prometheusRule) {
        List<JsonNode> rules = new ArrayList<>();
        for (JsonNode group : prometheusRule.path("spec").path("groups")) {
            group.path("rules").forEach(rules::add);
        }
        return rules;
    }

    static List<String> expressions(JsonNode prometheusRule) {
        return rules(prometheusRule).stream().map(r -> r.path("expr").asText()).toList();
    }

    /** Every metric an expression reads, e.g. reflector_sessions_denied_total. */
    static Set<String> metricNames(JsonNode prometheusRule) {
        Set<String> names = new TreeSet<>();
        for (String expr : expressions(prometheusRule)) {
            Matcher m = METRIC.matcher(expr);
            while (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }
}
