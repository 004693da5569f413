package io.fondation.clibridge.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamDrainerTest {

    @Test
    void splitsLinesAndHandlesCrLfAndAMissingFinalNewline() {
        List<String> lines = drain("one\ntwo\r\n\nthree".getBytes(StandardCharsets.UTF_8), 64, false);
        assertThat(lines).containsExactly("one", "two", "", "three");
    }

    @Test
    void splitsCorrectlyWhenTheStreamDeliversOneByteAtATime() {
        byte[] input = "alpha\nbéta\ngamma\n".getBytes(StandardCharsets.UTF_8);
        assertThat(drain(input, 64, true)).containsExactly("alpha", "béta", "gamma");
    }

    @Test
    void cutsOverlongLinesWithAMarkerAndKeepsReading() {
        String longLine = "x".repeat(10_000);
        byte[] input = (longLine + "\nnext\n").getBytes(StandardCharsets.UTF_8);
        List<String> lines = drain(input, 100, false);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).startsWith("x".repeat(100)).contains("line truncated, 9900 bytes dropped");
        assertThat(lines.get(1)).isEqualTo("next");
    }

    @Test
    void doesNotCutAMultiByteCharacterInHalf() {
        byte[] input = ("a" + "é".repeat(40) + "\n").getBytes(StandardCharsets.UTF_8);
        List<String> lines = drain(input, 20, false); // 20 bytes = 'a' + 9.5 'é'
        assertThat(lines.get(0))
                .startsWith("a" + "é".repeat(9) + " …[line truncated")
                .doesNotContain("\uFFFD");
    }

    @Test
    void replacesInvalidUtf8() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("ok ".getBytes(StandardCharsets.UTF_8));
        out.write(0xff);
        out.write(0xc3);
        out.writeBytes(" end\nnext\n".getBytes(StandardCharsets.UTF_8));
        List<String> lines = drain(out.toByteArray(), 64, false);
        assertThat(lines).containsExactly("ok \uFFFD\uFFFD end", "next");
    }

    @Test
    void keepsTheTailAndCountsBytes() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 5000; i++) {
            text.append("line ").append(i).append('\n');
        }
        byte[] input = text.toString().getBytes(StandardCharsets.UTF_8);
        TailBuffer tail = new TailBuffer(32);
        List<String> lines = new ArrayList<>();
        StreamDrainer drainer = new StreamDrainer(
                new ByteArrayInputStream(input), OutputChannel.STDERR, 64, tail, (channel, line) -> lines.add(line));
        drainer.run();
        assertThat(drainer.bytesRead()).isEqualTo(input.length);
        assertThat(drainer.lines()).isEqualTo(5000);
        assertThat(tail.text()).endsWith("line 4999\n").hasSizeLessThanOrEqualTo(32);
    }

    private static List<String> drain(byte[] input, int maxLine, boolean byteByByte) {
        List<String> lines = new ArrayList<>();
        InputStream in = new ByteArrayInputStream(input);
        if (byteByByte) {
            InputStream whole = in;
            in = new InputStream() {
                @Override
                public int read() throws java.io.IOException {
                    return whole.read();
                }

                @Override
                public int read(byte[] b, int off, int len) throws java.io.IOException {
                    return len == 0 ? 0 : whole.read(b, off, 1);
                }
            };
        }
        new StreamDrainer(in, OutputChannel.STDOUT, maxLine, null, (channel, line) -> {
                    assertThat(channel).isEqualTo(OutputChannel.STDOUT);
                    lines.add(line);
                })
                .run();
        return lines;
    }
}
