package io.packetparamedic.reflector.cli;

import io.packetparamedic.reflector.build.BuildInfo;
import picocli.CommandLine;

/** Feeds {@code --version} from {@link BuildInfo}. */
public final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        BuildInfo b = BuildInfo.current();
        return new String[] {"reflector " + b.version() + " (commit " + b.commit() + ")"};
    }
}
