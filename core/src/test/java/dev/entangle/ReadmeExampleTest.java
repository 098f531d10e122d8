package dev.entangle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/** The README's example, kept compiling and correct. */
class ReadmeExampleTest {

    @Test
    void readmeExamplePrintsPongOnAlice() throws Exception {
        AtomicReference<String> printed = new AtomicReference<>();
        EventLoop aliceLoop;
        EventLoop bobLoop;
        try (EventLoop alice = EventLoop.start("alice"); EventLoop bob = EventLoop.start("bob")) {
            aliceLoop = alice;
            bobLoop = bob;
            MessageChannel toBob = new MessageChannel(bob);
            toBob.port2().onmessage(e -> {
                MessagePort line = e.ports().get(0);
                line.onmessage(m -> line.postMessage("pong " + m.data()));
            });

            MessageChannel line = new MessageChannel(alice);
            CountDownLatch answered = new CountDownLatch(1);
            line.port1().onmessage(m -> {
                printed.set(m.data() + " on " + Thread.currentThread().getName());
                answered.countDown();
            });
            toBob.port1().postMessage("here is a line", List.of(line.port2()));
            line.port1().postMessage(1);
            assertTrue(answered.await(10, TimeUnit.SECONDS));
        }
        assertEquals("pong 1 on alice", printed.get());
        assertTrue(aliceLoop.awaitTermination(Loops.TIMEOUT));
        assertTrue(bobLoop.awaitTermination(Loops.TIMEOUT));
    }
}
