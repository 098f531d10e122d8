package dev.entangle.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.entangle.DOMException;
import dev.entangle.MessagePort;

/**
 * Aeron's back-pressure as the bounded-channel contract ({@code Options.portCapacity}): a receiver
 * that does not keep up makes the sender's port refuse ({@code QuotaExceededError}, {@code offerMessage}
 * false) instead of buffering without limit, and nothing is lost once it catches up. The grain is the
 * port: a full port holds up its own link only (per-link credit, {@code Protocol.LINK_WINDOW}).
 */
class BackPressureTest {
    /**
     * Posts 0, 1, 2, … on {@code port} until an offer finds no room for a whole second (the pressure
     * reached the sender); returns how many were posted.
     */
    static int postUntilRefused(MessagePort port) throws InterruptedException {
        int sent = 0;
        while (port.offerMessage(sent, Duration.ofSeconds(1))) {
            sent++;
            if (sent > 1_000_000) {
                throw new AssertionError("no back-pressure after a million messages");
            }
        }
        return sent;
    }

    @Test
    void aReceiverThatDoesNotKeepUpMakesTheSendersPortRefuseAndNothingIsLost() throws Exception {
        int capacity = 100;
        try (Nodes nodes = Nodes.ipc(Nodes.options().portCapacity(capacity).backlogLimit(64))) {
            MessagePort server = nodes.server("bp");
            Inbox inbox = Inbox.of(server);
            MessagePort client = nodes.client("bp");
            client.postMessage("hello"); // the pair is up before the receiver stops
            assertEquals("hello", inbox.data());

            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch blocked = new CountDownLatch(1);
            nodes.bob.execute(() -> { // the receiving loop stops dispatching
                blocked.countDown();
                try {
                    release.await(Inbox.TIMEOUT_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertTrue(blocked.await(Inbox.TIMEOUT_SECONDS, TimeUnit.SECONDS));

            // The receiver's port fills, then the link's window, then our port: an offer that finds no
            // room for a whole second means the pressure reached us.
            int sent = postUntilRefused(client);
            assertTrue(sent > 2 * capacity, "refused after " + sent + ": messages crossed Aeron first");
            int refusedAt = sent;
            DOMException e = assertThrows(DOMException.class, () -> client.postMessage(refusedAt));
            assertEquals("QuotaExceededError", e.name());
            assertFalse(client.offerMessage(refusedAt));

            release.countDown();
            int total = sent + 1000;
            for (int i = sent; i < total; i++) {
                assertTrue(client.offerMessage(i, Duration.ofSeconds(Inbox.TIMEOUT_SECONDS)), "refused " + i);
            }
            for (int i = 0; i < total; i++) {
                assertEquals(i, inbox.data());
            }
        }
    }

    @Test
    void aFullPortHoldsUpOnlyItsOwnLinkAndCatchesUpInOrder() throws Exception {
        int capacity = 20;
        try (Nodes nodes = Nodes.ipc(Nodes.options().portCapacity(capacity))) {
            MessagePort lazyServer = nodes.server("lazy"); // not started: what arrives stays queued
            MessagePort lazy = nodes.client("lazy");
            MessagePort echoServer = nodes.server("echo");
            echoServer.onmessage(e -> echoServer.postMessage(e.data()));
            MessagePort echo = nodes.client("echo");
            Inbox echoInbox = Inbox.of(echo);
            echo.postMessage("before");
            assertEquals("before", echoInbox.data());

            int sent = postUntilRefused(lazy);
            assertTrue(sent >= Protocol.LINK_WINDOW, "refused after " + sent + ", within the link's window");
            assertEquals("QuotaExceededError", assertThrows(DOMException.class, () -> lazy.postMessage(-1)).name());

            // The other pair of the same two nodes is not held up (the node goes on reading).
            for (int i = 0; i < 100; i++) {
                echo.postMessage("while lazy is full " + i); // one at a time: the bounded reply port never fills
                assertEquals("while lazy is full " + i, echoInbox.data());
            }

            Inbox lazyInbox = Inbox.of(lazyServer); // starts it: everything arrives, in order
            int total = sent + 2 * Protocol.LINK_WINDOW;
            for (int i = sent; i < total; i++) {
                assertTrue(lazy.offerMessage(i, Duration.ofSeconds(Inbox.TIMEOUT_SECONDS)), "refused " + i);
            }
            for (int i = 0; i < total; i++) {
                assertEquals(i, lazyInbox.data());
            }
        }
    }

    @Test
    void aPortClosedWhileItsLinkWaitsForCreditClosesAfterEverythingItPosted() throws Exception {
        int capacity = 20;
        try (Nodes nodes = Nodes.ipc(Nodes.options().portCapacity(capacity))) {
            MessagePort lazyServer = nodes.server("lazy"); // not started: its link's credit runs out
            MessagePort lazy = nodes.client("lazy");
            int sent = postUntilRefused(lazy);
            lazy.close(); // behind what waits in the paused bridge port and for credit
            Inbox inbox = Inbox.of(lazyServer);
            for (int i = 0; i < sent; i++) {
                assertEquals(i, inbox.data());
            }
            inbox.expect("close");
            assertTrue(sent >= Protocol.LINK_WINDOW, "refused after " + sent);
        }
    }
}
