package io.packetparamedic.api.crd;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.CustomResource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Puts each CRD version's additionalPrinterColumns in the order the {@link AdditionalPrinterColumn}
 * annotations are declared on the resource class.
 *
 * <p>Why: Fabric8's crd-generator (v2, 7.3.x) collects the columns in a map keyed by JSON path and
 * emits them sorted by path, with no option to keep declaration order (fabric8io/kubernetes-client
 * issues 3974, 7454), while kubectl prints them in list order. {@link CRDPostProcessor} is the
 * generator's own hook: it runs on the model before serialisation, so the YAML keeps exactly the
 * generator's formatting. {@link Class#getAnnotationsByType} returns repeated annotations in
 * declaration order. Columns that do not come from a class-level annotation (field-level
 * {@code @PrinterColumn}) keep the generator's order, after the declared ones.
 */
final class DeclaredPrinterColumnOrder implements CRDPostProcessor {

    private final Map<String, Class<?>> resourceClassByCrdName;

    DeclaredPrinterColumnOrder(Collection<Class<? extends CustomResource<?, ?>>> resourceClasses) {
        this.resourceClassByCrdName =
                resourceClasses.stream().collect(Collectors.toMap(CustomResource::getCRDName, Function.identity()));
    }

    @Override
    public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
        Class<?> resourceClass = resourceClassByCrdName.get(crd.getMetadata().getName());
        if (!(crd instanceof CustomResourceDefinition definition) || resourceClass == null) {
            return crd;
        }
        List<String> declaredPaths = declaredJsonPaths(resourceClass);
        for (CustomResourceDefinitionVersion version : definition.getSpec().getVersions()) {
            List<CustomResourceColumnDefinition> columns = version.getAdditionalPrinterColumns();
            if (columns != null) {
                version.setAdditionalPrinterColumns(inDeclaredOrder(columns, declaredPaths));
            }
        }
        return definition;
    }

    static List<String> declaredJsonPaths(Class<?> resourceClass) {
        return Arrays.stream(resourceClass.getAnnotationsByType(AdditionalPrinterColumn.class))
                .map(AdditionalPrinterColumn::jsonPath)
                .toList();
    }

    private static List<CustomResourceColumnDefinition> inDeclaredOrder(
            List<CustomResourceColumnDefinition> columns, List<String> declaredPaths) {
        List<CustomResourceColumnDefinition> ordered = new ArrayList<>(columns);
        // List.sort is stable: undeclared columns (rank = size) keep their generated order.
        ordered.sort(Comparator.comparingInt(column -> {
            int rank = declaredPaths.indexOf(column.getJsonPath());
            return rank < 0 ? declaredPaths.size() : rank;
        }));
        return ordered;
    }
}
