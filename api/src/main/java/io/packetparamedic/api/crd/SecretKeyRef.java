package io.packetparamedic.api.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A key of a Secret in the same namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SecretKeyRef {
    @Required
    @Pattern(ObjectRef.NAME_PATTERN)
    @Size(max = 253)
    @JsonPropertyDescription("Name of the Secret, in the same namespace.")
    public String name;

    @Pattern("^[-._a-zA-Z0-9]+$")
    @Size(max = 253)
    @JsonPropertyDescription("Key inside the Secret; each resource documents its default.")
    public String key;

    public SecretKeyRef() {}

    public SecretKeyRef(String name, String key) {
        this.name = name;
        this.key = key;
    }

    public String keyOr(String fallback) {
        return key == null || key.isBlank() ? fallback : key;
    }
}
