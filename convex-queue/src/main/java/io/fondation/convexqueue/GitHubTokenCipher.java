package io.fondation.convexqueue;

import io.fondation.shared.ConfigurationException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Reads the GitHub tokens the Fondation web app stores in {@code users.githubAccessToken}, with the
 * key it shares with the worker ({@code ENCRYPTION_KEY}, 64 hex characters):
 * <ul>
 *   <li>{@code enc_v1_<ivHex>:<authTagHex>:<cipherHex>}: AES-256-GCM, 16-byte IV, 16-byte tag;</li>
 *   <li>{@code obf_<base64>}: the older obfuscated form, plain base64;</li>
 *   <li>anything else: the token in plain text.</li>
 * </ul>
 * Errors never contain the token or the key.
 */
public final class GitHubTokenCipher {

    static final String ENCRYPTED_PREFIX = "enc_v1_";
    static final String OBFUSCATED_PREFIX = "obf_";
    private static final int TAG_BITS = 128;

    private final SecretKeySpec key;

    private GitHubTokenCipher(SecretKeySpec key) {
        this.key = key;
    }

    /**
     * A cipher for {@code ENCRYPTION_KEY}.
     *
     * @param hexKey 64 hexadecimal characters, or {@code null} when no key is configured (then only
     *     {@code obf_} and plain tokens can be read)
     * @throws ConfigurationException naming {@code ENCRYPTION_KEY} when the key is malformed
     */
    public static GitHubTokenCipher withKey(String hexKey) {
        if (hexKey == null || hexKey.isBlank()) {
            return new GitHubTokenCipher(null);
        }
        return new GitHubTokenCipher(new SecretKeySpec(parseKey(hexKey), "AES"));
    }

    /**
     * Checks a key's format.
     *
     * @return its 32 bytes
     * @throws ConfigurationException naming {@code ENCRYPTION_KEY}
     */
    static byte[] parseKey(String hexKey) {
        String trimmed = hexKey.strip();
        if (trimmed.length() != 64 || !trimmed.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new ConfigurationException(
                    "ENCRYPTION_KEY",
                    "must be 64 hexadecimal characters (a 32-byte AES-256 key)," + " got " + trimmed.length()
                            + " characters" + (trimmed.length() == 64 ? " that are not all hexadecimal" : ""));
        }
        return HexFormat.of().parseHex(trimmed);
    }

    /**
     * The token in clear.
     *
     * @param stored the stored value; {@code null} or blank for none
     * @return the token, or empty when none is stored
     * @throws ConfigurationException naming {@code ENCRYPTION_KEY} when the token is encrypted and no
     *     key is configured, or when it does not decrypt with the configured key
     */
    public Optional<String> reveal(String stored) {
        if (stored == null || stored.isBlank()) {
            return Optional.empty();
        }
        if (stored.startsWith(ENCRYPTED_PREFIX)) {
            return Optional.of(decrypt(stored.substring(ENCRYPTED_PREFIX.length())));
        }
        if (stored.startsWith(OBFUSCATED_PREFIX)) {
            try {
                byte[] bytes = Base64.getDecoder()
                        .decode(stored.substring(OBFUSCATED_PREFIX.length()).strip());
                return Optional.of(new String(bytes, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("the stored GitHub token starts with obf_ but is not valid base64");
            }
        }
        return Optional.of(stored);
    }

    private String decrypt(String payload) {
        if (key == null) {
            throw new ConfigurationException(
                    "ENCRYPTION_KEY",
                    "is not set, but the user's GitHub token is encrypted"
                            + " (enc_v1_); set the key the web app uses");
        }
        String[] parts = payload.split(":", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException(
                    "the stored GitHub token is not of the form enc_v1_<iv>:<tag>:<ciphertext>");
        }
        byte[] iv;
        byte[] tag;
        byte[] cipherText;
        try {
            iv = HexFormat.of().parseHex(parts[0]);
            tag = HexFormat.of().parseHex(parts[1]);
            cipherText = HexFormat.of().parseHex(parts[2]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the stored GitHub token (enc_v1_) has a part that is not hexadecimal");
        }
        if (iv.length == 0 || tag.length != TAG_BITS / 8) {
            throw new IllegalArgumentException("the stored GitHub token (enc_v1_) has an IV of " + iv.length
                    + " bytes and a tag of " + tag.length + " bytes; expected 16 and 16");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
            // Java expects the tag appended to the ciphertext; Node keeps it apart.
            byte[] input = new byte[cipherText.length + tag.length];
            System.arraycopy(cipherText, 0, input, 0, cipherText.length);
            System.arraycopy(tag, 0, input, cipherText.length, tag.length);
            byte[] clear = cipher.doFinal(input);
            return new String(clear, StandardCharsets.UTF_8);
        } catch (javax.crypto.AEADBadTagException e) {
            throw new ConfigurationException(
                    "ENCRYPTION_KEY",
                    "does not decrypt the user's GitHub token"
                            + " (authentication tag mismatch): is it the key the web app uses?");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(
                    "AES-256-GCM is not available in this JVM: " + e.getClass().getSimpleName());
        }
    }

    @Override
    public String toString() {
        return "GitHubTokenCipher[key=" + (key == null ? "none" : "[redacted]") + "]";
    }
}
