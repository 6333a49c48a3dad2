package io.packetparamedic.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;

/**
 * Typed access to a controller's informer caches (JOSDK hands event sources out as plain
 * {@link EventSource}s): for the lookups a secondary-resource index cannot answer, such as every
 * peer whose label selector matches an instance now.
 */
final class Informers {

    private Informers() {}

    /** The controller's only informer for {@code type}. */
    static <R extends HasMetadata, P extends HasMetadata> InformerEventSource<R, P> of(
            Context<P> context, Class<R> type) {
        return informer(context.eventSourceRetriever().getEventSourceFor(type), type);
    }

    /** The controller's informer for {@code type} registered under {@code name} (a type with several). */
    static <R extends HasMetadata, P extends HasMetadata> InformerEventSource<R, P> of(
            Context<P> context, Class<R> type, String name) {
        return informer(context.eventSourceRetriever().getEventSourceFor(type, name), type);
    }

    private static <R extends HasMetadata, P extends HasMetadata> InformerEventSource<R, P> informer(
            EventSource<R, P> source, Class<R> type) {
        if (source instanceof InformerEventSource<R, P> informer) return informer;
        throw new IllegalStateException(
                "the event source for " + type.getSimpleName() + " is not an informer: " + source.name());
    }
}
