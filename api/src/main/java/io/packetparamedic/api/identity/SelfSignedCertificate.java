package io.packetparamedic.api.identity;

import java.math.BigInteger;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The self-signed X.509 v3 certificate every Paramedic Link endpoint presents: signed with its
 * Ed25519 key, subject CN = Endpoint ID, SubjectAltName dNSName {@code pp-id-<ID>}, valid for ten
 * years. It is regenerated from the key at every start; only the key is persisted.
 */
public final class SelfSignedCertificate {

    public static final String SAN_PREFIX = "pp-id-";
    public static final Duration VALIDITY = Duration.ofDays(3652);
    private static final int SAN_DNS_NAME = 2;

    private SelfSignedCertificate() {}

    public static X509Certificate create(Ed25519Identity identity) {
        return create(identity, identity.endpointId());
    }

    /**
     * A certificate for {@code identity}'s key whose names claim {@code claimedId}. Only tests
     * (impersonation attempts) pass an ID other than the key's own.
     */
    public static X509Certificate create(Ed25519Identity identity, EndpointId claimedId) {
        // The CN exceeds X.509's 64-character bound; appliances put it there anyway, so do we.
        // BouncyCastle's name builder enforces that bound, so the RDN is built by hand.
        X500Name subject = new X500Name(new RDN[] {new RDN(BCStyle.CN, new DERUTF8String(claimedId.toString()))});
        Instant now = Instant.now();
        Date notBefore = Date.from(now.minus(Duration.ofMinutes(5)));
        Date notAfter = Date.from(now.atOffset(ZoneOffset.UTC).plusYears(10).toInstant());
        BigInteger serial = new BigInteger(63, ThreadLocalRandom.current()).add(BigInteger.ONE);
        try {
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    subject, serial, notBefore, notAfter, subject, identity.jcaPublicKey());
            builder.addExtension(
                    Extension.subjectAlternativeName,
                    false,
                    new GeneralNames(new GeneralName(GeneralName.dNSName, SAN_PREFIX + claimedId)));
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            X509CertificateHolder holder =
                    builder.build(new JcaContentSignerBuilder("Ed25519").build(identity.privateKey()));
            return new JcaX509CertificateConverter().getCertificate(holder);
        } catch (OperatorCreationException | CertificateException | java.io.IOException e) {
            throw new IdentityException("cannot create the self-signed certificate", e);
        }
    }

    /**
     * The Endpoint IDs named by the certificate's {@code pp-id-} SAN entries, as written (not
     * validated). Empty when there are none or the extension cannot be parsed.
     */
    public static List<String> sanEndpointIds(X509Certificate cert) {
        try {
            Collection<List<?>> names = cert.getSubjectAlternativeNames();
            if (names == null) return List.of();
            return names.stream()
                    .filter(n -> n.size() >= 2 && Integer.valueOf(SAN_DNS_NAME).equals(n.get(0)))
                    .map(n -> String.valueOf(n.get(1)))
                    .filter(n -> n.regionMatches(true, 0, SAN_PREFIX, 0, SAN_PREFIX.length()))
                    .map(n -> n.substring(SAN_PREFIX.length()))
                    .toList();
        } catch (java.security.cert.CertificateParsingException e) {
            return List.of();
        }
    }

    /** The Endpoint ID derived from the certificate's public key, if it is an Ed25519 key. */
    public static Optional<EndpointId> keyEndpointId(X509Certificate cert) {
        try {
            return Optional.of(EndpointId.fromPublicKey(Ed25519Identity.rawPublicKey(cert.getPublicKey())));
        } catch (IdentityException e) {
            return Optional.empty();
        }
    }
}
