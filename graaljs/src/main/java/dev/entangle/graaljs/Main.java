package dev.entangle.graaljs;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The command line: {@code java -jar graaljs/target/entangle-js.jar script.js} runs a script (and
 * the workers it starts) with {@link JsRuntime#run(Path, JsFileAccess)} and {@link JsFileAccess#all()}
 * (scripts read and write files as in Node), and exits with its exit code: 0, or 1 if an
 * error went unhandled. Usage errors exit with 2.
 */
public final class Main {
    private Main() {
    }

    /**
     * Runs the script named by the one argument.
     *
     * @param args the script's path
     */
    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: java -jar entangle-js.jar script.js|script.mjs");
            System.exit(2);
        }
        Path script = Path.of(args[0]);
        if (!Files.isReadable(script)) {
            System.err.println("entangle-js: cannot read " + script);
            System.exit(2);
        }
        int code = JsRuntime.run(script, JsFileAccess.all()).toCompletableFuture().join(); // as Node: every file
        System.exit(code); // the common loop's thread is not a daemon
    }
}
