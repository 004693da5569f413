package org.example.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fondation.convexqueue.client.ConvexClient;
import io.fondation.convexqueue.client.ConvexTransportException;
import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;

class ConsumerTest {

    @Test
    void noKotlinOnTheClassPath() {
        // Surefire's full test class path (java.class.path is only its booter jar).
        String[] entries = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"))
                .split(File.pathSeparator);
        assertFalse(
                Arrays.stream(entries).anyMatch(entry -> entry.contains("kotlin")),
                "a Kotlin jar is on the class path: " + String.join("\n", entries));
        assertThrows(ClassNotFoundException.class, () -> Class.forName("kotlin.Unit"));
    }

    @Test
    void aRetriedCallRunsWithoutKotlin() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort(); // closed again: nothing listens there
        }
        try (ConvexClient client = ConvexClient.builder()
                .url("http://127.0.0.1:" + port)
                .maxAttempts(3)
                .retryBackoff(Duration.ofMillis(5), Duration.ofMillis(20))
                .build()) {
            // A query is retried on transport failures: Resilience4j's retry runs, three times.
            assertThrows(ConvexTransportException.class, () -> client.query("queue:getMetrics", Map.of()));
        }
    }

    @Test
    void theJarManifestNamesTheModuleAndTheVersion() throws Exception {
        File jar = new File(ConvexClient.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertTrue(jar.getName().endsWith(".jar"), "ConvexClient comes from " + jar);
        try (JarFile file = new JarFile(jar)) {
            Manifest manifest = file.getManifest();
            assertNotNull(manifest);
            assertEquals("io.fondation.convexqueue", manifest.getMainAttributes().getValue("Automatic-Module-Name"));
            assertEquals(
                    System.getProperty("fondation.version"),
                    manifest.getMainAttributes().getValue("Implementation-Version"));
        }
    }
}
