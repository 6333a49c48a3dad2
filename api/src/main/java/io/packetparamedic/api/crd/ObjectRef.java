package io.packetparamedic.api.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.Objects;

/** A reference to an object in the same namespace, by name. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ObjectRef {
    /** A DNS subdomain name, as Kubernetes object names are. */
    public static final String NAME_PATTERN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

    @Required
    @Pattern(NAME_PATTERN)
    @Size(max = 253)
    @JsonPropertyDescription("Name of the object, in the same namespace.")
    public String name;

    public ObjectRef() {}

    public ObjectRef(String name) {
        this.name = name;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ObjectRef r && Objects.equals(name, r.name);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(name);
    }
}
