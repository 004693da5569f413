package io.fondation.clibridge.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TailBufferTest {

    @Test
    void keepsEverythingWhileUnderCapacity() {
        TailBuffer tail = new TailBuffer(16);
        write(tail, "hello ");
        write(tail, "world");
        assertThat(tail.text()).isEqualTo("hello world");
        assertThat(tail.totalBytes()).isEqualTo(11);
    }

    @Test
    void keepsOnlyTheLastBytesAcrossManyWrites() {
        TailBuffer tail = new TailBuffer(10);
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            String piece = Integer.toString(i) + ",";
            all.append(piece);
            write(tail, piece);
        }
        assertThat(tail.text()).isEqualTo(all.substring(all.length() - 10));
        assertThat(tail.totalBytes()).isEqualTo(all.length());
    }

    @Test
    void aWriteLargerThanTheCapacityKeepsItsEnd() {
        TailBuffer tail = new TailBuffer(8);
        write(tail, "abc");
        write(tail, "0123456789ABCDEF");
        assertThat(tail.text()).isEqualTo("89ABCDEF");
        write(tail, "xy");
        assertThat(tail.text()).isEqualTo("ABCDEFxy");
    }

    @Test
    void skipsAHalfCharacterCutAtTheStart() {
        TailBuffer tail = new TailBuffer(4);
        write(tail, "ééé"); // 6 bytes: the first kept byte is the second half of an 'é'
        assertThat(tail.text()).isEqualTo("éé");
    }

    @Test
    void rejectsAnEmptyCapacity() {
        assertThatThrownBy(() -> new TailBuffer(0)).hasMessageContaining("capacity");
    }

    private static void write(TailBuffer tail, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        tail.write(bytes, 0, bytes.length);
    }
}
