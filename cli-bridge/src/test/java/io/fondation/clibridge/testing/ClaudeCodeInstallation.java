package io.fondation.clibridge.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The real Claude Code CLI the build installed for the tests ({@code scripts/ensure-claude-code.mjs}
 * writes {@code claude-code.properties} onto the test class path). Missing is an error, never a skip.
 */
public final class ClaudeCodeInstallation {

    private static final String RESOURCE = "/claude-code.properties";

    private ClaudeCodeInstallation() {}

    /** The {@code claude} executable. */
    public static Path executable() {
        Path executable = Path.of(properties().getProperty("executable"));
        if (!Files.isExecutable(executable)) {
            throw new IllegalStateException("the installed Claude Code CLI is gone: " + executable
                    + "; run the build again (generate-test-resources installs it)");
        }
        return executable;
    }

    /** The pinned version, e.g. {@code 2.1.332}. */
    public static String version() {
        return properties().getProperty("version");
    }

    private static Properties properties() {
        try (InputStream in = ClaudeCodeInstallation.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the pinned Claude Code CLI is not installed (no " + RESOURCE
                        + " on the class path); build with Maven, whose generate-test-resources phase installs it");
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
