/**
 * The custom resource types of group {@code packetparamedic.io}, version {@code v1alpha1}:
 * {@link io.packetparamedic.api.crd.ReflectorInstance}, {@link io.packetparamedic.api.crd.AuthorizedPeer}
 * and {@link io.packetparamedic.api.crd.PairingWindow}. They live in {@code api/} so that the
 * operator and the reflector's Kubernetes mode share one definition; the CRD YAML under
 * {@code crds/} is generated from them at build time.
 *
 * <h2>Who owns which status field</h2>
 * Both the operator and the reflector pod write {@code status}, each with server-side apply and
 * its own field manager ({@link io.packetparamedic.api.crd.FieldManagers}). Every status class
 * marks each field as "operator" or "pod" in its Javadoc; a writer sends only its own fields, so
 * neither side ever replaces the other's.
 */
package io.packetparamedic.api.crd;
