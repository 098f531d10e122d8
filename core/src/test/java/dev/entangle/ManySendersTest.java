package dev.entangle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Many threads posting into one port: exactly once, and in each sender's order (SPEC item 2; the port
 * queue is multi-producer because postMessage is legal from any thread).
 */
class ManySendersTest {
    private final Loops loops = new Loops();

    @AfterEach
    void closeLoops() throws InterruptedException {
        loops.close();
    }

    @Test
    void hundredThousandMessagesFromFourSendersArriveOnceInPerSenderOrder() throws Exception {
        int senders = 4;
        int perSender = 25_000;
        EventLoop loop = loops.start("fan-in");
        MessageChannel channel = new MessageChannel(loop);
        // Written and read only on the loop thread; read by the test after the latch (happens-before).
        int[] nextExpected = new int[senders];
        int[] violations = new int[1];
        CountDownLatch done = new CountDownLatch(senders * perSender);
        channel.port2().onmessage(e -> {
            long m = (Long) e.data();
            int sender = (int) (m >>> 32);
            int seq = (int) m;
            if (seq != nextExpected[sender]) {
                violations[0]++;
            }
            nextExpected[sender] = seq + 1;
            done.countDown();
        });

        List<Thread> threads = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        for (int s = 0; s < senders; s++) {
            long id = s;
            Thread t = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException ex) {
                    return;
                }
                for (int i = 0; i < perSender; i++) {
                    channel.port1().postMessage((id << 32) | i);
                }
            }, "sender-" + s);
            t.start();
            threads.add(t);
        }
        go.countDown();

        assertTrue(done.await(30, TimeUnit.SECONDS), "all messages arrived");
        int[] snapshot = Loops.on(loop, () -> nextExpected.clone());
        for (int s = 0; s < senders; s++) {
            assertEquals(perSender, snapshot[s], "sender " + s + " count");
        }
        assertEquals(0, (int) Loops.on(loop, () -> violations[0]), "per-sender order violations");
        assertEquals(0, channel.port2().receiveMessage() == null ? 0 : 1, "nothing extra queued");
        for (Thread t : threads) {
            t.join();
        }
    }
}
