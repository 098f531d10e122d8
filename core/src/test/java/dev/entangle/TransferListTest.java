package dev.entangle;

import static dev.entangle.Loops.next;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Validation of the transfer list: every failure is a DataCloneError (code 25) and detaches nothing
 * (all-or-nothing, SPEC item 3). Mirrors HTML §9.4.4 "message port post message steps" steps 2-6 and
 * StructuredSerializeWithTransfer step 2, and WPT webmessaging/message-channels and
 * html/webappapis/structured-clone transfer-list checks.
 */
class TransferListTest {
    private final Loops loops = new Loops();

    @AfterEach
    void closeLoops() throws InterruptedException {
        loops.close();
    }

    private static DOMException assertDataCloneError(Runnable post) {
        DOMException e = assertThrows(DOMException.class, post::run);
        assertEquals("DataCloneError", e.name());
        assertEquals(25, e.code());
        return e;
    }

    /** Proves a port is still attached and entangled: a message through it arrives. */
    private static void assertStillWorks(MessagePort port, MessagePort partner) throws Exception {
        LinkedBlockingQueue<Object> got = new LinkedBlockingQueue<>();
        partner.onmessage(e -> got.add(e.data()));
        port.postMessage("still attached");
        assertEquals("still attached", next(got));
    }

    /** Step 2: the source port in its own transfer list. */
    @Test
    void sourcePortInTransferListIsDataCloneErrorWithNothingDetached() throws Exception {
        EventLoop loop = loops.start("source");
        MessageChannel channel = new MessageChannel(loop);
        MessageChannel other = new MessageChannel(loop);
        LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
        channel.port2().onmessage(e -> received.add(e.data()));

        DOMException e = assertDataCloneError(() -> channel.port1().postMessage("m",
                List.of(other.port1(), channel.port1())));
        assertTrue(e.getMessage().contains("transfer[1]"), e.getMessage());

        channel.port1().postMessage("sentinel, posted after the refused one");
        assertEquals("sentinel, posted after the refused one", next(received), "the refused message was not sent");
        assertStillWorks(other.port1(), other.port2());
        assertStillWorks(channel.port1(), channel.port2());
    }

    /** Duplicate entries. */
    @Test
    void duplicateEntriesAreDataCloneErrorWithNothingDetached() throws Exception {
        EventLoop loop = loops.start("dup");
        MessageChannel channel = new MessageChannel(loop);
        MessageChannel other = new MessageChannel(loop);

        DOMException e = assertDataCloneError(() -> channel.port1().postMessage("m",
                Arrays.asList(other.port1(), other.port2(), other.port1())));
        assertTrue(e.getMessage().contains("duplicate"), e.getMessage());

        assertStillWorks(other.port1(), other.port2());
    }

    /** A closed port (close() sets [[Detached]]). */
    @Test
    void closedPortInTransferListIsDataCloneError() throws Exception {
        EventLoop loop = loops.start("closed");
        MessageChannel channel = new MessageChannel(loop);
        MessageChannel healthy = new MessageChannel(loop);
        MessageChannel closed = new MessageChannel(loop);
        closed.port1().close();

        DOMException e = assertDataCloneError(() -> channel.port1().postMessage("m",
                List.of(healthy.port1(), closed.port1())));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());

        assertStillWorks(healthy.port1(), healthy.port2());
    }

    /** A port that was already transferred. */
    @Test
    void alreadyTransferredPortIsDataCloneError() throws Exception {
        EventLoop loop = loops.start("twice");
        MessageChannel channel = new MessageChannel(loop);
        MessageChannel shipped = new MessageChannel(loop);
        channel.port1().postMessage("first time", List.of(shipped.port1()));

        DOMException e = assertDataCloneError(
                () -> channel.port1().postMessage("second time", List.of(shipped.port1())));
        assertTrue(e.getMessage().contains("detached"), e.getMessage());
    }

    /** An entry that is not Transferable. */
    @Test
    void nonTransferableEntryIsDataCloneErrorWithNothingDetached() throws Exception {
        EventLoop loop = loops.start("non-transferable");
        MessageChannel channel = new MessageChannel(loop);
        MessageChannel other = new MessageChannel(loop);

        DOMException e = assertDataCloneError(() -> channel.port1().postMessage("m",
                List.of(other.port1(), "a string")));
        assertTrue(e.getMessage().contains("java.lang.String is not Transferable"), e.getMessage());

        assertStillWorks(other.port1(), other.port2());
    }

    /** An uncloneable value: serialization fails before anything is detached. */
    @Test
    void uncloneableValueIsDataCloneErrorWithNothingDetached() throws Exception {
        EventLoop loop = loops.start("uncloneable");
        MessageChannel channel = new MessageChannel(loop);
        MessageChannel other = new MessageChannel(loop);

        DOMException e = assertDataCloneError(() -> channel.port1().postMessage(
                new Thread(() -> { }), List.of(other.port1())));
        assertTrue(e.getMessage().contains("java.lang.Thread is not cloneable"), e.getMessage());

        assertStillWorks(other.port1(), other.port2());
    }

    /** A port in data but not in the transfer list cannot be cloned. */
    @Test
    void portInDataButNotInTransferListIsDataCloneError() {
        EventLoop loop = loops.start("port-in-data");
        MessageChannel channel = new MessageChannel(loop);
        MessageChannel other = new MessageChannel(loop);

        DOMException e = assertDataCloneError(() -> channel.port1().postMessage(other.port1()));
        assertTrue(e.getMessage().contains("transfer list"), e.getMessage());
    }

    /** Null entries are rejected with their index before anything happens. */
    @Test
    void nullEntryIsRejectedWithItsIndex() {
        EventLoop loop = loops.start("null-entry");
        MessageChannel channel = new MessageChannel(loop);
        NullPointerException e = assertThrows(NullPointerException.class,
                () -> channel.port1().postMessage("m", Arrays.asList(channel.port2(), null)));
        assertTrue(e.getMessage().contains("transfer[1]"), e.getMessage());
    }

    /**
     * Step 4: the target port in the transfer list dooms the message: it is serialized and the
     * transfers happen (every listed port is detached), but nothing is delivered. The ports it carried
     * are then closed, so their far ends receive close; the source sees its partner closed too.
     */
    @Test
    void targetPortInTransferListDropsTheMessageAndDetachesTheOthers() throws Exception {
        EventLoop loop = loops.start("doomed");
        MessageChannel channel = new MessageChannel(loop);
        MessageChannel carried = new MessageChannel(loop);
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        channel.port2().onmessage(e -> events.add("message at target"));
        carried.port2().onclose(e -> events.add("close at carried partner"));
        carried.port2().start();
        channel.port1().onclose(e -> events.add("close at source"));
        channel.port1().start();

        channel.port1().postMessage("doomed", List.of(carried.port1(), channel.port2()));

        List<String> got = new ArrayList<>(List.of(next(events), next(events)));
        got.sort(null);
        assertEquals(List.of("close at carried partner", "close at source"), got);
        assertNull(Loops.pollSettled(events, loop), "no message at the target, no second close");
        DOMException again = assertDataCloneError(
                () -> channel.port1().postMessage("m", List.of(carried.port1())));
        assertTrue(again.getMessage().contains("detached"), again.getMessage());
    }

    /**
     * Posting on a closed port throws only clone errors; otherwise the message is dropped silently, and
     * ports in its transfer list are detached and closed.
     */
    @Test
    void postingOnAClosedPortThrowsOnlyCloneErrors() throws Exception {
        EventLoop loop = loops.start("closed-source");
        MessageChannel channel = new MessageChannel(loop);
        MessageChannel carried = new MessageChannel(loop);
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        carried.port2().onclose(e -> events.add("close"));
        carried.port2().start();
        channel.port1().close();

        channel.port1().postMessage("dropped"); // no exception
        assertDataCloneError(() -> channel.port1().postMessage(new Object()));
        channel.port1().postMessage("dropped too", List.of(carried.port1()));

        assertEquals("close", next(events));
        assertDataCloneError(() -> channel.port2().postMessage("m", List.of(carried.port1())));
    }
}
