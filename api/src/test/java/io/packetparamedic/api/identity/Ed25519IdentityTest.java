package io.packetparamedic.api.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Ed25519IdentityTest {

    @TempDir
    Path dir;

    @Test
    void firstLoadCreatesA32ByteOwnerOnlyKeyAndLaterLoadsKeepIt() throws Exception {
        Path key = dir.resolve("deep/er/identity.ed25519");
        Ed25519Identity first = Ed25519Identity.loadOrCreate(key);
        assertThat(Files.size(key)).isEqualTo(32);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
                .isEqualTo("rw-------");
        assertThat(Ed25519Identity.loadOrCreate(key).endpointId()).isEqualTo(first.endpointId());
        assertThat(dir.resolve("deep/er").toFile().list()).containsExactly("identity.ed25519");
    }

    @Test
    void saveReplacesAtomicallyAndKeepsMode() throws Exception {
        Path key = dir.resolve("identity.ed25519");
        Ed25519Identity.loadOrCreate(key);
        Ed25519Identity next = Ed25519Identity.generate();
        next.save(key);
        assertThat(Ed25519Identity.load(key).endpointId()).isEqualTo(next.endpointId());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
                .isEqualTo("rw-------");
    }

    @Test
    void wrongLengthIsRefusedAndLeftAlone() throws Exception {
        Path key = dir.resolve("identity.ed25519");
        Files.write(key, new byte[64]);
        assertThatThrownBy(() -> Ed25519Identity.loadOrCreate(key))
                .isInstanceOf(IdentityException.class)
                .hasMessageContaining(key.toString())
                .hasMessageContaining("64 bytes");
        assertThat(Files.size(key)).isEqualTo(64);
    }

    @Test
    void aKeyFileOthersCanReadIsRefusedLikeSshRefusesAnUnprotectedKey() throws Exception {
        Path key = dir.resolve("identity.ed25519");
        Ed25519Identity id = Ed25519Identity.generate();
        id.save(key);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> Ed25519Identity.loadOrCreate(key))
                .isInstanceOf(IdentityException.class)
                .hasMessageContaining(key.toString())
                .hasMessageContaining("rw-r--r--")
                .hasMessageContaining("chmod 600");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        assertThat(Ed25519Identity.load(key).endpointId()).isEqualTo(id.endpointId());
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("r--------"));
        assertThat(Ed25519Identity.load(key).endpointId()).isEqualTo(id.endpointId());
    }

    @Test
    void signaturesVerifyAndToStringHidesTheKey() {
        Ed25519Identity id = Ed25519Identity.generate();
        byte[] msg = "hello".getBytes();
        byte[] sig = id.sign(msg);
        assertThat(Ed25519Identity.verify(id.publicKey(), msg, sig)).isTrue();
        msg[0] ^= 1;
        assertThat(Ed25519Identity.verify(id.publicKey(), msg, sig)).isFalse();
        assertThat(id.toString()).isEqualTo("Ed25519Identity[" + id.endpointId() + "]");
    }

    @Test
    void certificateNamesTheIdAndCarriesTheKey() throws Exception {
        Ed25519Identity id = Ed25519Identity.generate();
        X509Certificate cert = SelfSignedCertificate.create(id);
        cert.verify(id.jcaPublicKey());
        assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=" + id.endpointId());
        assertThat(SelfSignedCertificate.sanEndpointIds(cert))
                .containsExactly(id.endpointId().toString());
        assertThat(SelfSignedCertificate.keyEndpointId(cert)).contains(id.endpointId());
        assertThat(cert.getNotAfter().getTime() - cert.getNotBefore().getTime())
                .isGreaterThan(3650L * 24 * 3600 * 1000);
        assertThat(cert.getSigAlgName()).isEqualToIgnoringCase("Ed25519");
    }
}
