package io.fondation.clibridge.process;

import java.nio.charset.StandardCharsets;

/**
 * Keeps the last {@code capacity} bytes written to it, so error reports can quote the end of a
 * stream without the stream ever being held in memory. Thread-safe.
 */
public final class TailBuffer {

    private final byte[] ring;
    private long written;

    public TailBuffer(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("tail capacity must be at least 1 byte, was " + capacity);
        }
        this.ring = new byte[capacity];
    }

    /** Appends bytes, forgetting the oldest ones beyond the capacity. */
    public synchronized void write(byte[] bytes, int offset, int length) {
        if (length > ring.length) {
            // Only the last ring.length bytes can survive; skip the others.
            int skip = length - ring.length;
            offset += skip;
            length = ring.length;
            written += skip;
        }
        int pos = (int) (written % ring.length);
        int first = Math.min(length, ring.length - pos);
        System.arraycopy(bytes, offset, ring, pos, first);
        if (first < length) {
            System.arraycopy(bytes, offset + first, ring, 0, length - first);
        }
        written += length;
    }

    /** How many bytes were written in total. */
    public synchronized long totalBytes() {
        return written;
    }

    /** The retained bytes, oldest first. */
    public synchronized byte[] bytes() {
        if (written <= ring.length) {
            byte[] out = new byte[(int) written];
            System.arraycopy(ring, 0, out, 0, out.length);
            return out;
        }
        int pos = (int) (written % ring.length);
        byte[] out = new byte[ring.length];
        System.arraycopy(ring, pos, out, 0, ring.length - pos);
        System.arraycopy(ring, 0, out, ring.length - pos, pos);
        return out;
    }

    /**
     * The retained text, decoded as UTF-8 with malformed bytes replaced; when older bytes were
     * dropped, a sequence cut in half at the start is skipped.
     */
    public String text() {
        byte[] bytes;
        boolean cut;
        synchronized (this) {
            bytes = bytes();
            cut = written > ring.length;
        }
        int start = 0;
        if (cut) {
            while (start < bytes.length && start < 4 && (bytes[start] & 0xC0) == 0x80) {
                start++;
            }
        }
        return new String(bytes, start, bytes.length - start, StandardCharsets.UTF_8);
    }
}
