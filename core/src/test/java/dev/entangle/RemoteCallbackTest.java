package dev.entangle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link Remote}: callbacks travel as proxies, each on a transferred port (Comlink's proxy handler). */
class RemoteCallbackTest {
    /** Called back for each step; fire and forget. */
    public interface Listener {
        void step(int i);
    }

    /** Asked back for a price; answered. */
    public interface Pricer {
        CompletableFuture<Integer> price(String item);
    }

    /** The exposed service. */
    public interface Shop {
        CompletableFuture<Integer> countTo(int n, Listener listener);

        CompletableFuture<Integer> total(List<String> items, Pricer pricer);
    }

    static final class LocalShop implements Shop {
        @Override
        public CompletableFuture<Integer> countTo(int n, Listener listener) {
            for (int i = 1; i <= n; i++) {
                listener.step(i);
            }
            return CompletableFuture.completedFuture(n);
        }

        @Override
        public CompletableFuture<Integer> total(List<String> items, Pricer pricer) {
            CompletableFuture<Integer> sum = CompletableFuture.completedFuture(0);
            for (String item : items) {
                sum = sum.thenCombine(pricer.price(item), Integer::sum);
            }
            return sum;
        }
    }

    private final Loops loops = new Loops();

    @AfterEach
    void closeLoops() throws InterruptedException {
        loops.close();
    }

    private Shop remoteShop() {
        MessageChannel channel = new MessageChannel(loops.start("shop"));
        Remote.expose(Shop.class, new LocalShop(), channel.port2());
        return Remote.wrap(Shop.class, channel.port1());
    }

    @Test
    void aVoidCallbackIsCalledBackInOrderOnTheCallersLoop() throws Exception {
        Shop shop = remoteShop();
        EventLoop caller = loops.start("caller");
        List<String> steps = new CopyOnWriteArrayList<>();
        CountDownLatch threeSteps = new CountDownLatch(3);
        CompletableFuture<Integer> done = Loops.on(caller, () -> shop.countTo(3, i -> {
            steps.add(i + (EventLoop.current() == caller ? " on caller" : " elsewhere"));
            threeSteps.countDown();
        }));
        assertEquals(3, done.get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        assertTrue(threeSteps.await(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        assertEquals(List.of("1 on caller", "2 on caller", "3 on caller"), steps);
    }

    @Test
    void anAnsweredCallbackLetsTheExposedSideAskBack() throws Exception {
        Shop shop = remoteShop();
        Map<String, Integer> prices = Map.of("tea", 3, "cake", 4);
        CompletableFuture<Integer> total = shop.total(List.of("tea", "cake", "tea"),
                item -> CompletableFuture.completedFuture(prices.get(item)));
        assertEquals(10, total.get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
    }

    @Test
    void aCallbackFailureComesBackToTheExposedSideAsRemoteError() throws Exception {
        Shop shop = remoteShop();
        CompletableFuture<Integer> total = shop.total(List.of("caviar"), item -> {
            throw new IllegalArgumentException("no price for " + item);
        });
        Throwable failure = assertInstanceOf(java.util.concurrent.ExecutionException.class,
                org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                        () -> total.get(Loops.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))).getCause();
        RemoteError error = assertInstanceOf(RemoteError.class, failure);
        assertEquals("java.lang.IllegalArgumentException", error.remoteName()); // relayed unchanged
        assertEquals("no price for caviar", error.getMessage());
    }

    @Test
    void onTheWireACallbackIsAProxyHandlerWithItsPortAndIsCalledAsAFunction() throws Exception {
        // What JavaScript Comlink does: Comlink.proxy(fn) travels as {type: HANDLER, name: proxy,
        // value: port} and the exposed side calls it with APPLY and an empty path.
        MessageChannel channel = new MessageChannel(loops.start("shop"));
        Remote.expose(Shop.class, new LocalShop(), channel.port2());
        MessageChannel callback = new MessageChannel();
        channel.port1().postMessage(Map.of("id", "c1", "type", "APPLY", "path", List.of("countTo"),
                "argumentList", List.of(Map.of("type", "RAW", "value", 2.0),
                        Map.of("type", "HANDLER", "name", "proxy", "value", callback.port2()))),
                List.of(callback.port2()));
        for (int i = 1; i <= 2; i++) {
            Map<?, ?> call = (Map<?, ?>) callback.port1().receiveMessage(Loops.TIMEOUT).data();
            assertEquals("APPLY", call.get("type"));
            assertEquals(List.of(), call.get("path"));
            assertEquals(List.of(Map.of("type", "RAW", "value", i)), call.get("argumentList"));
        }
        MessageEvent answer = channel.port1().receiveMessage(Loops.TIMEOUT);
        assertNotNull(answer);
        assertEquals(Map.of("id", "c1", "type", "RAW", "value", 2), answer.data());
        // and from a Java proxy: the callback's port goes in the transfer list, not cloned
        MessageChannel raw = new MessageChannel();
        Shop shop = Remote.wrap(Shop.class, raw.port1());
        Listener listener = i -> { };
        shop.countTo(1, listener);
        MessageEvent sent = raw.port2().receiveMessage(Loops.TIMEOUT);
        Map<?, ?> proxied = (Map<?, ?>) ((List<?>) ((Map<?, ?>) sent.data()).get("argumentList")).get(1);
        assertEquals("HANDLER", proxied.get("type"));
        assertEquals("proxy", proxied.get("name"));
        assertEquals(sent.ports().get(0), proxied.get("value"));
        assertNotSame(listener, proxied.get("value"));
    }
}
