package dev.tracestore.storage.jdbc;

import com.zaxxer.hikari.HikariConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts a class of the test classpath in a child JVM, its stdout piped. */
final class ChildJvm {
    private ChildJvm() {}

    /** Starts {@code main} with its stderr discarded. */
    static Process start(List<String> jvmOptions, Class<?> main, String... args) throws IOException {
        return start(jvmOptions, ProcessBuilder.Redirect.DISCARD, main, args);
    }

    /** Starts {@code main} with its stderr sent where {@code stderr} says (a file, to read after a failure). */
    static Process start(List<String> jvmOptions, ProcessBuilder.Redirect stderr, Class<?> main, String... args)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(stderr);
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        return builder.start();
    }

    /**
     * In the parent: the child's arguments, {@code config}'s JDBC URL, user (or {@code "-"}) and
     * password first, as {@link #poolConfig} reads them, then {@code rest}.
     */
    static String[] poolArguments(HikariConfig config, String... rest) {
        List<String> args = new ArrayList<>(List.of(config.getJdbcUrl(),
                config.getUsername() == null ? "-" : config.getUsername(),
                config.getPassword() == null ? "" : config.getPassword()));
        args.addAll(List.of(rest));
        return args.toArray(String[]::new);
    }

    /**
     * In the child: the pool configuration its first three arguments give (JDBC URL, user or
     * {@code "-"} for none, password), at most two connections.
     */
    static HikariConfig poolConfig(String[] args) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(args[0]);
        if (!args[1].equals("-")) {
            config.setUsername(args[1]);
            config.setPassword(args[2]);
        }
        config.setMaximumPoolSize(2);
        return config;
    }
}
