package io.fondation.convexqueue.testing;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts a token the way the Fondation web app does (Node {@code crypto.createCipheriv("aes-256-gcm")}
 * with a random 16-byte IV), giving {@code enc_v1_<ivHex>:<authTagHex>:<cipherHex>}. For tests.
 */
public final class TokenEncryption {

    /** An obviously fake test key of 64 hex characters. */
    public static final String TEST_KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    private TokenEncryption() {}

    public static String encrypt(String token, String hexKey) {
        try {
            byte[] iv = new byte[16];
            new SecureRandom().nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(
                    Cipher.ENCRYPT_MODE,
                    new SecretKeySpec(HexFormat.of().parseHex(hexKey), "AES"),
                    new GCMParameterSpec(128, iv));
            byte[] out = cipher.doFinal(token.getBytes(StandardCharsets.UTF_8));
            // Java appends the 16-byte tag; Node reports it apart.
            byte[] cipherText = Arrays.copyOfRange(out, 0, out.length - 16);
            byte[] tag = Arrays.copyOfRange(out, out.length - 16, out.length);
            HexFormat hex = HexFormat.of();
            return "enc_v1_" + hex.formatHex(iv) + ":" + hex.formatHex(tag) + ":" + hex.formatHex(cipherText);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
