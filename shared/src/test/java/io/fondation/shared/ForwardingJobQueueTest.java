package io.fondation.shared;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ForwardingJobQueueTest {

    @Test
    void forwardsEveryMethodOfTheSpiDefaultsIncluded() {
        // why: a default left to JobQueue's would silently change a decorated queue's behaviour (run --once's
        // queue would keep no checkpoints and get no push); a new SPI method must be forwarded here
        List<String> missing = Arrays.stream(JobQueue.class.getMethods())
                .filter(m -> !Modifier.isStatic(m.getModifiers()))
                .filter(m -> !declares(m))
                .map(Method::toString)
                .toList();
        assertThat(missing).isEmpty();
    }

    private static boolean declares(Method method) {
        try {
            ForwardingJobQueue.class.getDeclaredMethod(method.getName(), method.getParameterTypes());
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }
}
