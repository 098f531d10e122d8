package dev.entangle;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Flow;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.opentest4j.TestAbortedException;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowPublisherVerification;
import org.reactivestreams.tck.flow.FlowSubscriberBlackboxVerification;
import org.testng.SkipException;

/**
 * The Reactive Streams TCK (org.reactivestreams:reactive-streams-tck-flow 1.0.4) against
 * {@link PortPublisher} and {@link PortSubscriber}. The TCK is written for TestNG; each of its
 * {@code @Test} methods runs here as a JUnit dynamic test, after its {@code @BeforeMethod} setUp; a
 * TCK skip (an optional rule, or a feature the publisher does not have) is a JUnit abort.
 */
class FlowTckTest {
    private static final EventLoop LOOP = EventLoop.start("flow-tck");
    private static final long TIMEOUT_MILLIS = 1_000;
    private static final long NO_SIGNALS_MILLIS = 100;

    @AfterAll
    static void closeLoop() throws InterruptedException {
        LOOP.close();
        LOOP.awaitTermination(Loops.TIMEOUT);
    }

    /** A port with {@code elements} messages queued and its far side closed. */
    static final class PublisherRules extends FlowPublisherVerification<MessageEvent> {
        PublisherRules() {
            super(new TestEnvironment(TIMEOUT_MILLIS, NO_SIGNALS_MILLIS));
        }

        @Override
        public Flow.Publisher<MessageEvent> createFlowPublisher(long elements) {
            MessageChannel channel = new MessageChannel(LOOP);
            for (long i = 0; i < elements; i++) {
                channel.port1().postMessage(i);
            }
            channel.port1().close();
            return PortPublisher.of(channel.port2());
        }

        @Override
        public Flow.Publisher<MessageEvent> createFailedFlowPublisher() {
            return null; // a port cannot fail before it is subscribed
        }

        @Override
        public long maxElementsFromPublisher() {
            return 1024; // every element is a queued message
        }
    }

    /** A PortSubscriber on a port nobody reads. */
    static final class SubscriberRules extends FlowSubscriberBlackboxVerification<Object> {
        SubscriberRules() {
            super(new TestEnvironment(TIMEOUT_MILLIS, NO_SIGNALS_MILLIS));
        }

        @Override
        public Flow.Subscriber<Object> createFlowSubscriber() {
            return new PortSubscriber<>(new MessageChannel(LOOP).port1(), Loops.TIMEOUT);
        }

        @Override
        public Object createElement(int element) {
            return element;
        }
    }

    @TestFactory
    List<DynamicTest> publisherRules() {
        return rules(PublisherRules::new);
    }

    @TestFactory
    List<DynamicTest> subscriberRules() {
        return rules(SubscriberRules::new);
    }

    private interface Fresh {
        Object make();
    }

    private static List<DynamicTest> rules(Fresh fresh) {
        Object sample = fresh.make();
        List<Method> methods = new ArrayList<>();
        for (Method method : sample.getClass().getMethods()) {
            if (method.isAnnotationPresent(org.testng.annotations.Test.class)) {
                methods.add(method);
            }
        }
        methods.sort(Comparator.comparing(Method::getName));
        List<DynamicTest> tests = new ArrayList<>();
        for (Method method : methods) {
            tests.add(DynamicTest.dynamicTest(method.getName(), () -> run(fresh.make(), method)));
        }
        return tests;
    }

    private static void run(Object verification, Method rule) throws Throwable {
        invokeAnnotated(verification, org.testng.annotations.BeforeClass.class);
        try {
            invokeAnnotated(verification, org.testng.annotations.BeforeMethod.class);
            rule.invoke(verification);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof SkipException) {
                throw new TestAbortedException(cause.getMessage());
            }
            throw cause;
        } finally {
            invokeAnnotated(verification, org.testng.annotations.AfterClass.class);
        }
    }

    private static void invokeAnnotated(Object verification,
            Class<? extends java.lang.annotation.Annotation> annotation) throws Exception {
        for (Method method : verification.getClass().getMethods()) {
            if (method.isAnnotationPresent(annotation)) {
                method.invoke(verification);
            }
        }
    }

    @Override
    public String toString() {
        return "FlowTckTest" + Arrays.asList(PublisherRules.class, SubscriberRules.class);
    }
}
