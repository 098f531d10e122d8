package dev.entangle.remote;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A second JVM for a multi-process test: started with this JVM's class path and Aeron's flags, it
 * prints {@code ADDRESS <node address>} on its standard output and ends when its standard input
 * closes ({@link PeerMain}, or {@code remote-js}'s JS peer, through this module's test jar).
 *
 * <p>Threads: one test thread. Memory consistency effects: none.
 */
public final class PeerProcess implements AutoCloseable {
    /** How long the peer may take to print its address. */
    private static final long START_SECONDS = 60;

    private final Process process;
    private final String address;

    private PeerProcess(Process process, String address) {
        this.process = process;
        this.address = address;
    }

    /**
     * Starts {@code mainClass} with {@code args} in a new JVM (this one's {@code java}, class path and
     * Aeron's flags, plus {@code jvmFlags}) and waits for the address it prints.
     *
     * @param jvmFlags further JVM flags (heap size, native access)
     * @param mainClass the peer's main class
     * @param args its arguments
     * @return the started peer
     * @throws Exception if it cannot start or prints no address within a minute (it is then killed)
     */
    public static PeerProcess start(List<String> jvmFlags, Class<?> mainClass, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        command.addAll(List.of("--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "--add-opens",
                "java.base/sun.nio.ch=ALL-UNNAMED"));
        command.addAll(jvmFlags);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        CompletableFuture<String> address = CompletableFuture.supplyAsync(() -> {
            try {
                BufferedReader out = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("ADDRESS ")) {
                        return line.substring("ADDRESS ".length());
                    }
                }
                throw new IllegalStateException("the peer ended without printing its address");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            return new PeerProcess(process, address.get(START_SECONDS, TimeUnit.SECONDS));
        } catch (Exception e) {
            process.destroyForcibly();
            throw e;
        }
    }

    /** {@return the address of the peer's node} */
    public String address() {
        return address;
    }

    /** {@return the peer's process} */
    public Process process() {
        return process;
    }

    /** Closes the peer's standard input (it ends normally), killing it if it has not ended in 10 s. */
    @Override
    public void close() throws IOException {
        process.getOutputStream().close();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
