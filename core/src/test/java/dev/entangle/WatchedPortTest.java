package dev.entangle;

import static dev.entangle.Loops.next;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A dedicated loop that spins idle keeps the port it last drained and polls its queue itself, the port
 * still scheduled, so that the port's producers only offer (issue 12, busy ping-pong; LoopCore's
 * "Watched port"). What must not change: every message is dispatched once, in order, on the loop the
 * port is bound to when it is taken, whatever the loop does meanwhile (spin, run tasks, park, close)
 * and wherever the port goes (SPEC items 3, 6 and 9; HTML #port-message-queue).
 */
class WatchedPortTest {
    private final Loops loops = new Loops();

    @AfterEach
    void closeLoops() throws InterruptedException {
        loops.close();
    }

    /**
     * A loop that parks hands the watched port back first: a message posted to the parked loop's port
     * wakes it. Were the port still marked scheduled, the post would neither queue a drain nor wake the
     * loop, and the second message would never arrive.
     */
    @Test
    void aPostToTheLastDrainedPortOfAParkedLoopWakesIt() throws Exception {
        EventLoop loop = loops.start("spins-then-parks", IdleStrategy.spinYieldPark(64, 0));
        Thread thread = Loops.on(loop, Thread::currentThread);
        MessageChannel channel = new MessageChannel(loop);
        LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
        channel.port2().onmessage(e -> received.add(e.data()));
        for (int round = 0; round < 20; round++) {
            channel.port1().postMessage(round);
            assertEquals(round, next(received));
            Loops.awaitIdle(thread); // parked, after spinning with the port watched
        }
    }

    /**
     * Two threads post to one port and queue tasks on its loop, with random gaps, so that posts land
     * while the loop drains, spins watching the port, runs a task, yields or parks: every message
     * arrives once and in each sender's order, and so does every task.
     */
    @Test
    void noMessageIsLostOrReorderedWhateverTheLoopDoesMeanwhile() throws Exception {
        Map<String, IdleStrategy> strategies = Loops.idleStrategies();
        for (Map.Entry<String, IdleStrategy> entry : strategies.entrySet()) {
            EventLoop loop = loops.start(entry.getKey(), entry.getValue());
            MessageChannel channel = new MessageChannel(loop);
            int perSender = 5_000;
            LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
            channel.port2().onmessage(e -> received.add((String) e.data()));
            List<Thread> senders = new ArrayList<>();
            for (int s = 0; s < 2; s++) {
                String sender = "s" + s;
                Thread t = new Thread(() -> {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    for (int i = 0; i < perSender; i++) {
                        channel.port1().postMessage(sender + ":" + i);
                        if (random.nextInt(8) == 0) {
                            int n = i;
                            loop.execute(() -> received.add(sender + ":task" + n));
                        }
                        for (int gap = random.nextInt(300); gap > 0; gap--) {
                            Thread.onSpinWait();
                        }
                    }
                });
                senders.add(t);
                t.start();
            }
            for (Thread t : senders) {
                t.join(TimeUnit.SECONDS.toMillis(20));
            }
            int[] nextMessage = new int[2];
            int[] lastTask = {-1, -1};
            while (nextMessage[0] < perSender || nextMessage[1] < perSender) {
                String item = next(received);
                int s = item.charAt(1) - '0';
                String rest = item.substring(3);
                if (rest.startsWith("task")) {
                    int n = Integer.parseInt(rest.substring(4));
                    assertTrue(n > lastTask[s], entry.getKey() + ": task order " + item);
                    lastTask[s] = n;
                } else {
                    assertEquals(nextMessage[s], Integer.parseInt(rest), entry.getKey() + ": " + item);
                    nextMessage[s]++;
                }
            }
            loop.execute(() -> received.add("sentinel"));
            String item;
            while (!(item = next(received)).equals("sentinel")) {
                assertTrue(item.contains(":task"), entry.getKey() + ": only tasks are left, got " + item);
            }
        }
    }

    /**
     * A port its loop watches, transferred to another loop from a third thread: what is posted after the
     * transfer is dispatched there, in order, and not one message at the old loop.
     */
    @Test
    void aWatchedPortTransferredAwayHasItsLaterMessagesDispatchedAtTheNewOwner() throws Exception {
        EventLoop first = loops.start("first", IdleStrategy.busySpin());
        EventLoop second = loops.start("second", IdleStrategy.busySpin());
        MessageChannel channel = new MessageChannel(first);
        LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        MessagePort moving = channel.port2();
        moving.onmessage(e -> received.add("first:" + e.data()));
        channel.port1().postMessage(0);
        assertEquals("first:0", next(received)); // drained on `first`, which now watches it

        MessageChannel carrier = new MessageChannel(second);
        carrier.port2().onmessage(e -> {
            MessagePort arrived = e.ports().get(0);
            arrived.onmessage(m -> received.add("second:" + m.data()));
            received.add("arrived");
        });
        carrier.port1().postMessage("take it", List.of(moving));
        assertEquals("arrived", next(received));
        for (int i = 1; i <= 100; i++) {
            channel.port1().postMessage(i);
        }
        for (int i = 1; i <= 100; i++) {
            assertEquals("second:" + i, next(received));
        }
        assertNull(Loops.pollSettled(received, first, second), "nothing at the old owner, nothing twice");
    }

    /**
     * A watched port's loop keeps the port's consumer lock while it watches; transferred to a loop that
     * does not start it, the port is read by a plain thread with a blocking receive, while another
     * thread posts: the old loop hands the lock back on the first message that is not its to
     * dispatch (a spinning loop), or when it parks (a parking one), and the receiver gets every
     * message, in order (Node's receiveMessageOnPort on a port that was never started; SPEC item 3).
     * With the lock kept, every receive would time out.
     */
    @Test
    void aWatchedPortTransferredToAReceivingThreadGivesItEveryMessage() throws Exception {
        transferToAReceivingThread(IdleStrategy.busySpin(), false);
        transferToAReceivingThread(IdleStrategy.spinYieldPark(64, 0), true);
    }

    private void transferToAReceivingThread(IdleStrategy idle, boolean parked) throws Exception {
        EventLoop first = loops.start("first", idle);
        EventLoop second = loops.start("second");
        MessageChannel channel = new MessageChannel(first);
        LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
        MessagePort moving = channel.port2();
        moving.onmessage(e -> received.add(e.data()));
        channel.port1().postMessage(0);
        assertEquals(0, next(received)); // drained on `first`, which now watches it and keeps its lock
        if (parked) {
            Loops.awaitIdle(Loops.on(first, Thread::currentThread)); // handed back before parking
        }

        MessageChannel carrier = new MessageChannel(second);
        LinkedBlockingQueue<MessagePort> arrivals = new LinkedBlockingQueue<>();
        carrier.port2().onmessage(e -> arrivals.add(e.ports().get(0))); // not started there
        carrier.port1().postMessage("take it", List.of(moving));
        MessagePort arrived = next(arrivals);
        Thread sender = new Thread(() -> {
            for (int i = 1; i <= 100; i++) {
                channel.port1().postMessage(i);
            }
        }, "sender");
        sender.start();
        for (int i = 1; i <= 100; i++) {
            MessageEvent e = arrived.receiveMessage(Loops.TIMEOUT);
            assertEquals(i, e == null ? null : e.data(), "message " + i);
        }
        sender.join();
        assertNull(Loops.pollSettled(received, first, second), "nothing dispatched at the old owner");
    }

    /** Closing a loop while it watches a port closes that port: its far end gets {@code close}. */
    @Test
    void closingTheLoopClosesTheWatchedPort() throws Exception {
        EventLoop loop = loops.start("closing", IdleStrategy.busySpin());
        EventLoop other = loops.start("other");
        MessageChannel channel = new MessageChannel(loop);
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        channel.port2().onmessage(e -> events.add("message:" + e.data()));
        channel.port1().postMessage("one");
        assertEquals("message:one", next(events)); // watched from here on

        MessageChannel carrier = new MessageChannel(other);
        carrier.port2().onmessage(e -> {
            MessagePort far = e.ports().get(0);
            far.onclose(c -> events.add("close"));
            events.add("moved");
        });
        carrier.port1().postMessage("far end", List.of(channel.port1()));
        assertEquals("moved", next(events));
        loop.close();
        assertTrue(loop.awaitTermination(Loops.TIMEOUT), "the loop ends");
        assertEquals("close", next(events));
    }
}
