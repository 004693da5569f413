package io.fondation.worker.cli;

import picocli.CommandLine.IVersionProvider;

/** {@code --version}: the Implementation-Version of the jar's manifest, and the Java running it. */
public final class ManifestVersionProvider implements IVersionProvider {

    @Override
    public String[] getVersion() {
        String version = ManifestVersionProvider.class.getPackage().getImplementationVersion();
        return new String[] {
            "fondation-worker " + (version == null ? "(development build, not from the packaged jar)" : version),
            "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")",
        };
    }
}
