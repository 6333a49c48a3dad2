package io.packetparamedic.reflector.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.packetparamedic.api.identity.Ed25519Identity;
import io.packetparamedic.api.identity.EndpointId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeerStoreTest {

    @TempDir
    Path dir;

    @Test
    void peersSurviveReopeningAndNoTemporaryFilesRemain() throws Exception {
        EndpointId a = Ed25519Identity.generate().endpointId();
        EndpointId b = Ed25519Identity.generate().endpointId();
        Path data = dir.resolve("nested/state");
        PeerStore store = PeerStore.open(data, Clock.systemUTC());
        store.add(a, "local");
        store.add(b, "ns/window");
        assertThat(store.remove(a)).isTrue();
        assertThat(store.remove(a)).isFalse();

        PeerStore reopened = PeerStore.open(data, Clock.systemUTC());
        assertThat(reopened.peers()).containsExactly(b);
        try (Stream<Path> files = Files.list(data)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly(PeerStore.FILE_NAME);
        }
    }

    @Test
    void unreadableFileFailsLoudlyNamingIt() throws Exception {
        Files.writeString(dir.resolve(PeerStore.FILE_NAME), "{ not json");
        assertThatThrownBy(() -> PeerStore.open(dir, Clock.systemUTC()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(PeerStore.FILE_NAME);
    }

    @Test
    void missingFileIsAnEmptyStore() {
        assertThat(PeerStore.open(dir.resolve("absent"), Clock.systemUTC()).size())
                .isZero();
    }
}
