package io.packetparamedic.api.identity;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * An Ed25519 key pair identified by its {@link EndpointId}. On disk only the raw 32-byte seed is
 * kept (mode 0600); the public key and the certificate are derived from it at start-up.
 *
 * <p>{@link #toString()} never shows key material.
 */
public final class Ed25519Identity {

    public static final int SEED_LENGTH = 32;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    /** DER prefix of an X.509 SubjectPublicKeyInfo for Ed25519 (OID 1.3.101.112). */
    private static final byte[] SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

    private final byte[] seed;
    private final byte[] publicKey;
    private final EndpointId endpointId;
    private final PrivateKey privateKey;
    private final PublicKey jcaPublicKey;

    private Ed25519Identity(byte[] seed) {
        this.seed = seed.clone();
        this.publicKey = new Ed25519PrivateKeyParameters(this.seed, 0)
                .generatePublicKey()
                .getEncoded();
        this.endpointId = EndpointId.fromPublicKey(publicKey);
        try {
            KeyFactory kf = KeyFactory.getInstance("Ed25519");
            this.privateKey = kf.generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, this.seed));
            this.jcaPublicKey = kf.generatePublic(new X509EncodedKeySpec(spki(publicKey)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot build Ed25519 keys", e);
        }
    }

    /** A fresh identity from a cryptographically strong random seed. */
    public static Ed25519Identity generate() {
        byte[] seed = new byte[SEED_LENGTH];
        new SecureRandom().nextBytes(seed);
        try {
            return new Ed25519Identity(seed);
        } finally {
            Arrays.fill(seed, (byte) 0);
        }
    }

    /** The identity of a raw 32-byte seed (RFC 8032 private key). */
    public static Ed25519Identity fromSeed(byte[] seed) {
        if (seed == null || seed.length != SEED_LENGTH) {
            throw new IdentityException("an Ed25519 private key is a raw 32-byte seed, got "
                    + (seed == null ? "nothing" : seed.length + " bytes"));
        }
        return new Ed25519Identity(seed);
    }

    /**
     * Loads the seed from {@code file}.
     *
     * @throws IdentityException when the file is missing, unreadable or not exactly 32 bytes;
     *     a wrong length is never silently replaced by a new key
     */
    public static Ed25519Identity load(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IdentityException("identity key file " + file + " does not exist");
        } catch (AccessDeniedException e) {
            throw new IdentityException("cannot read identity key file " + file
                    + ": permission denied (running as user " + System.getProperty("user.name") + ")");
        } catch (IOException e) {
            throw new IdentityException("cannot read identity key file " + file + ": " + e.getMessage());
        }
        try {
            if (bytes.length != SEED_LENGTH) {
                throw new IdentityException("identity key file " + file + " has " + bytes.length
                        + " bytes; expected a raw 32-byte Ed25519 seed (refusing to use or replace it)");
            }
            requireOwnerOnly(file);
            return new Ed25519Identity(bytes);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /**
     * Refuses a key file that users other than its owner may read or write, as ssh refuses an
     * unprotected private key: whoever can read the seed can be this endpoint.
     */
    private static void requireOwnerOnly(Path file) {
        Set<PosixFilePermission> perms;
        String owner;
        try {
            perms = Files.getPosixFilePermissions(file);
            owner = Files.getOwner(file).getName();
        } catch (UnsupportedOperationException notPosix) {
            return;
        } catch (IOException e) {
            throw new IdentityException(
                    "cannot read the permissions of identity key file " + file + ": " + e.getMessage());
        }
        Set<PosixFilePermission> others = EnumSet.copyOf(perms);
        others.removeAll(EnumSet.of(
                PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE));
        if (!others.isEmpty()) {
            throw new IdentityException("identity key file " + file + " (owner " + owner + ") has mode "
                    + PosixFilePermissions.toString(perms) + ": other users can read or change it; "
                    + "a private key must be readable by its owner only (chmod 600 " + file + ")");
        }
    }

    /** Loads the identity in {@code file}, creating and saving a new one when there is none. */
    public static Ed25519Identity loadOrCreate(Path file) {
        if (Files.exists(file)) return load(file);
        Ed25519Identity created = generate();
        try {
            created.saveNew(file);
            return created;
        } catch (FileAlreadyExistsException raced) {
            return load(file);
        }
    }

    /**
     * Writes the seed to {@code file} atomically with mode 0600: a temporary file in the same
     * directory is written, synced and renamed over the target, so a crash leaves either the old
     * key or the new one, never a torn file.
     */
    public void save(Path file) {
        writeAtomically(file, true);
    }

    private void saveNew(Path file) throws FileAlreadyExistsException {
        if (Files.exists(file)) throw new FileAlreadyExistsException(file.toString());
        writeAtomically(file, false);
    }

    private void writeAtomically(Path file, boolean replace) {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(
                    dir, "." + target.getFileName(), ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(seed));
                ch.force(true);
            }
            if (replace) {
                moveAtomically(tmp, target);
            } else {
                // A hard link fails if the target appeared meanwhile: no key is ever overwritten
                // by a concurrent first start.
                Files.createLink(target, tmp);
                Files.delete(tmp);
            }
            tmp = null;
            Files.setPosixFilePermissions(target, OWNER_ONLY);
        } catch (FileAlreadyExistsException e) {
            throw new IdentityException("identity key file " + file + " appeared while creating it");
        } catch (IOException e) {
            throw new IdentityException("cannot write identity key file " + file + ": " + e.getMessage());
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the temporary file holds nothing the target does not
                }
            }
        }
    }

    private static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    public EndpointId endpointId() {
        return endpointId;
    }

    /** The raw 32-byte public key. */
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** The raw 32-byte seed; callers should wipe their copy when done. */
    public byte[] seed() {
        return seed.clone();
    }

    public PrivateKey privateKey() {
        return privateKey;
    }

    public PublicKey jcaPublicKey() {
        return jcaPublicKey;
    }

    /** An RFC 8032 Ed25519 signature of {@code message}. */
    public byte[] sign(byte[] message) {
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, new Ed25519PrivateKeyParameters(seed, 0));
        signer.update(message, 0, message.length);
        return signer.generateSignature();
    }

    /** Verifies an Ed25519 signature against a raw 32-byte public key. */
    public static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
        Ed25519Signer verifier = new Ed25519Signer();
        verifier.init(false, new Ed25519PublicKeyParameters(publicKey, 0));
        verifier.update(message, 0, message.length);
        return verifier.verifySignature(signature);
    }

    /**
     * The raw 32-byte Ed25519 key inside a JCA public key (as found in a peer certificate), or
     * an exception when the key is not Ed25519.
     */
    public static byte[] rawPublicKey(PublicKey key) {
        byte[] der = key.getEncoded();
        if (!"Ed25519".equalsIgnoreCase(key.getAlgorithm()) && !"EdDSA".equalsIgnoreCase(key.getAlgorithm())
                || der == null
                || der.length != SPKI_PREFIX.length + 32
                || !Arrays.equals(der, 0, SPKI_PREFIX.length, SPKI_PREFIX, 0, SPKI_PREFIX.length)) {
            throw new IdentityException("not an Ed25519 public key: " + key.getAlgorithm());
        }
        return Arrays.copyOfRange(der, SPKI_PREFIX.length, der.length);
    }

    private static byte[] spki(byte[] raw) {
        byte[] der = Arrays.copyOf(SPKI_PREFIX, SPKI_PREFIX.length + raw.length);
        System.arraycopy(raw, 0, der, SPKI_PREFIX.length, raw.length);
        return der;
    }

    @Override
    public String toString() {
        return "Ed25519Identity[" + endpointId + "]";
    }
}
