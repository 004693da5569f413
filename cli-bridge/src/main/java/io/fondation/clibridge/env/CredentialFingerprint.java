package io.fondation.clibridge.env;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A name for a credential that can be logged, stored and compared without revealing it: {@code sha256:} and the
 * first 32 hex digits (128 bits) of SHA-256 over a fixed, versioned prefix and the credential. Every worker that
 * holds the same credential computes the same fingerprint, so a fleet can share one pause per LLM account
 * ({@code queue:recordPause}) while no row or log line ever holds the secret.
 *
 * <p>why a hash and no key: the workers share no secret they could key it with (the embedded queue has none), and the
 * credentials it names (API keys, OAuth tokens) are long random strings, which a truncated hash does not let anyone
 * guess back. why the prefix: the same secret hashed elsewhere for another purpose gives another value.
 *
 * <p>Known answer, for implementations in other languages: {@code of("FAKE")} is
 * {@code sha256:287d39294493591825734494b205660c} (Python: {@code hashlib.sha256(b"fondation-llm-credential-v1\nFAKE")
 * .hexdigest()[:32]}).
 */
public final class CredentialFingerprint {

    /** What precedes the credential in the hashed bytes; a new version changes every fingerprint. */
    static final String DOMAIN = "fondation-llm-credential-v1\n";

    /** Hex digits kept of the digest. */
    static final int HEX_DIGITS = 32;

    private static final String ALGORITHM = "sha256";

    private CredentialFingerprint() {}

    /**
     * The fingerprint of {@code credential}.
     *
     * @throws IllegalArgumentException when the credential is blank (the message never contains it)
     */
    public static String of(String credential) {
        Objects.requireNonNull(credential, "credential");
        if (credential.isBlank()) {
            throw new IllegalArgumentException("a credential fingerprint needs a non-blank credential");
        }
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(DOMAIN.getBytes(StandardCharsets.UTF_8));
            byte[] hash = digest.digest(credential.strip().getBytes(StandardCharsets.UTF_8));
            return ALGORITHM + ":" + HexFormat.of().formatHex(hash).substring(0, HEX_DIGITS);
        } catch (NoSuchAlgorithmException e) {
            // why unchecked: every Java platform must provide SHA-256.
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
