package dev.entangle.graaljs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** The module descriptor (issue 13, item 5): the module exports its API package and nothing else. */
class JsModuleTest {
    @Test
    void theModuleExportsOnlyItsApiPackageUnqualified() {
        Module module = JsRuntime.class.getModule();
        assertTrue(module.isNamed(), "surefire runs the tests on the module path");
        ModuleDescriptor descriptor = module.getDescriptor();
        assertEquals("dev.entangle.graaljs", descriptor.name());
        assertEquals(Set.of("dev.entangle.graaljs"), descriptor.exports().stream()
                .peek(e -> assertTrue(e.targets().isEmpty(), "unqualified export"))
                .map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()));
        assertTrue(descriptor.opens().isEmpty(), "nothing is opened for reflection");
        assertTrue(descriptor.requires().stream().anyMatch(r -> r.name().equals("dev.entangle")
                && r.modifiers().contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE)),
                "the API's signatures name dev.entangle types (Worker)");
    }

    @Test
    void theOnlyPublicTypesOfTheExportedPackageAreTheApi() throws IOException, URISyntaxException {
        Path classes = Path.of(JsRuntime.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("dev/entangle/graaljs");
        Set<String> publicTypes = new TreeSet<>();
        try (Stream<Path> files = Files.list(classes)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String name = file.getFileName().toString();
                if (!name.endsWith(".class") || name.contains("$")) {
                    continue;
                }
                String simple = name.substring(0, name.length() - ".class".length());
                Class<?> type = Class.forName("dev.entangle.graaljs." + simple, false, getClass().getClassLoader());
                if (Modifier.isPublic(type.getModifiers())) {
                    publicTypes.add(simple);
                }
            }
        } catch (ClassNotFoundException e) {
            throw new AssertionError(e);
        }
        assertEquals(Set.of("JsFileAccess", "JsRuntime", "Main"), publicTypes);
    }
}
