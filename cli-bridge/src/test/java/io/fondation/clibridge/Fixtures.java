package io.fondation.clibridge;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The fixture analyzers (bash scripts under src/test/resources/fixtures) and a minimal environment. */
public final class Fixtures {

    private Fixtures() {}

    /** The absolute path of a fixture script. */
    public static Path script(String name) {
        URL url = Fixtures.class.getResource("/fixtures/" + name);
        if (url == null) {
            throw new IllegalArgumentException("no fixture " + name);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code bash <script> args...}: scripts are run through bash, so their mode bits do not matter. */
    public static List<String> bash(String name, String... args) {
        List<String> command = new ArrayList<>();
        command.add("bash");
        command.add(script(name).toString());
        command.addAll(List.of(args));
        return command;
    }

    /** The text of a test resource. */
    public static String text(String resource) {
        try {
            return java.nio.file.Files.readString(
                    Path.of(Fixtures.class.getResource(resource).toURI()));
        } catch (java.io.IOException | URISyntaxException | NullPointerException e) {
            throw new IllegalArgumentException("cannot read test resource " + resource, e);
        }
    }

    /** PATH and LANG only: what the fixtures need. */
    public static Map<String, String> minimalEnv() {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("LANG", "C.UTF-8");
        return env;
    }
}
