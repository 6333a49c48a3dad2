package io.packetparamedic.kubectl;

import picocli.CommandLine.IVersionProvider;

/** The version from the jar's manifest (absent when run from classes, e.g. in tests). */
final class PluginVersion implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = KubectlPacketParamedic.class.getPackage().getImplementationVersion();
        return new String[] {"kubectl-packetparamedic " + (v == null ? "(development build)" : v)};
    }
}
