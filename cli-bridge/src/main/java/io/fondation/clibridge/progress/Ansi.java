package io.fondation.clibridge.progress;

import java.util.regex.Pattern;

/** Removes terminal escape sequences and control characters from a line. */
public final class Ansi {

    private static final Pattern ESCAPES = Pattern.compile(
            "\u001B\\[[0-?]*[ -/]*[@-~]" // CSI: colours, cursor moves, erase line
                    + "|\u001B\\][^\u0007\u001B]*(?:\u0007|\u001B\\\\)?" // OSC: titles, hyperlinks
                    + "|\u001B[@-Z\\\\-_]" // other two-character escapes
                    + "|\u009B[0-?]*[ -/]*[@-~]"); // 8-bit CSI
    private static final Pattern CONTROLS = Pattern.compile("[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]");

    private Ansi() {}

    /** The line without escape sequences and control characters (carriage returns are kept). */
    public static String strip(String line) {
        if (line.indexOf('\u001B') < 0 && line.indexOf('\u009B') < 0) {
            return CONTROLS.matcher(line).replaceAll("");
        }
        return CONTROLS.matcher(ESCAPES.matcher(line).replaceAll("")).replaceAll("");
    }
}
