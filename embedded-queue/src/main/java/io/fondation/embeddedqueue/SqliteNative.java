package io.fondation.embeddedqueue;

import org.sqlite.SQLiteJDBCLoader;

/** The SQLite driver's native library, which it extracts from its jar and loads the first time it is used. */
public final class SqliteNative {

    private SqliteNative() {}

    /**
     * Extracts and loads the native library now (the start-up warm-up calls it on another thread), so that
     * opening the queue later does not wait for it.
     *
     * @return whether the library is loaded
     */
    public static boolean preload() {
        try {
            return SQLiteJDBCLoader.initialize();
        } catch (Exception e) {
            return false; // opening the queue will report the problem
        }
    }
}
