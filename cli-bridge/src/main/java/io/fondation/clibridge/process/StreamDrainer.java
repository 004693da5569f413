package io.fondation.clibridge.process;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads one output stream of a child to its end, splitting it into lines with bounded memory:
 * raw bytes go through a fixed buffer, a line longer than {@code maxLineBytes} is cut (with a
 * marker) and the rest of it skipped, invalid UTF-8 is replaced, and the last bytes are kept in a
 * {@link TailBuffer}.
 */
public final class StreamDrainer implements Runnable {

    /** Appended to a line that was cut because it exceeded the line limit. */
    public static final String TRUNCATION_MARKER = " …[line truncated, %d bytes dropped]";

    /** Where decoded lines go. */
    @FunctionalInterface
    public interface LineSink {
        void line(OutputChannel channel, String line);
    }

    private static final int READ_BUFFER = 64 * 1024;

    private final InputStream in;
    private final OutputChannel channel;
    private final int maxLineBytes;
    private final TailBuffer tail;
    private final LineSink sink;

    private byte[] line;
    private int lineLength;
    private long droppedBytes;
    private long lines;
    private volatile long bytesRead;

    public StreamDrainer(InputStream in, OutputChannel channel, int maxLineBytes, TailBuffer tail, LineSink sink) {
        if (maxLineBytes < 16) {
            throw new IllegalArgumentException("maxLineBytes must be at least 16, was " + maxLineBytes);
        }
        this.in = in;
        this.channel = channel;
        this.maxLineBytes = maxLineBytes;
        this.tail = tail;
        this.sink = sink;
        this.line = new byte[Math.min(maxLineBytes, 8192)];
    }

    @Override
    public void run() {
        byte[] buffer = new byte[READ_BUFFER];
        try (InputStream stream = in) {
            int n;
            while ((n = stream.read(buffer)) != -1) {
                bytesRead += n;
                if (tail != null) {
                    tail.write(buffer, 0, n);
                }
                split(buffer, n);
            }
        } catch (IOException e) {
            // why: a destroyed child or a closed pipe ends the stream; treat it like end of file.
        }
        if (lineLength > 0 || droppedBytes > 0) {
            emit();
        }
    }

    private void split(byte[] buffer, int length) {
        int start = 0;
        for (int i = 0; i < length; i++) {
            if (buffer[i] == '\n') {
                append(buffer, start, i - start);
                emit();
                start = i + 1;
            }
        }
        if (start < length) {
            append(buffer, start, length - start);
        }
    }

    private void append(byte[] buffer, int offset, int length) {
        int room = maxLineBytes - lineLength;
        int take = Math.min(room, length);
        if (take > 0) {
            if (lineLength + take > line.length) {
                byte[] bigger = new byte[Math.min(maxLineBytes, Math.max(line.length * 2, lineLength + take))];
                System.arraycopy(line, 0, bigger, 0, lineLength);
                line = bigger;
            }
            System.arraycopy(buffer, offset, line, lineLength, take);
            lineLength += take;
        }
        droppedBytes += length - take;
    }

    private void emit() {
        int length = lineLength;
        if (droppedBytes == 0 && length > 0 && line[length - 1] == '\r') {
            length--;
        }
        if (droppedBytes > 0) {
            // Do not end on half a UTF-8 sequence.
            int back = length;
            while (back > 0 && (line[back - 1] & 0xC0) == 0x80) {
                back--;
            }
            if (back > 0 && (line[back - 1] & 0xC0) == 0xC0) {
                length = back - 1;
            }
        }
        // why: String's UTF-8 constructor replaces malformed input with U+FFFD, like a
        // CharsetDecoder set to REPLACE, and is the fastest decoder in the JDK.
        String text = new String(line, 0, length, StandardCharsets.UTF_8);
        if (droppedBytes > 0) {
            text = text + String.format(TRUNCATION_MARKER, droppedBytes + (lineLength - length));
        }
        lineLength = 0;
        droppedBytes = 0;
        if (line.length > 65536) {
            line = new byte[8192];
        }
        lines++;
        sink.line(channel, text);
    }

    /** Lines emitted so far (only read after the drainer finished for an exact value). */
    public long lines() {
        return lines;
    }

    /** Bytes read so far. */
    public long bytesRead() {
        return bytesRead;
    }
}
