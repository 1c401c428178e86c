package dev.tracestore.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A trace of 1,000,000 messages is written, listed page by page, recounted and deleted by a
 * JVM limited to a 256 MB heap ({@link MillionMessagesProcess}). Runs in the
 * {@code reliability} profile: it takes a minute or more per database.
 */
@Tag("reliability")
class MillionMessagesTest {
    private static final int MESSAGES = 1_000_000;

    @ParameterizedTest
    @EnumSource(value = Setup.class, names = {"H2_FILE", "POSTGRESQL"})
    void millionMessages_listRecountAndDelete_in256MbOfHeap(Setup setup) throws Exception {
        String name = "size" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        HikariConfig config = setup.config(name);
        String prefix = name + "_";
        try (HikariDataSource pool = new HikariDataSource(config)) {
            JdbcTraceStorage.builder(pool).tablePrefix(prefix).build().migrate();
        }
        Map<String, String> results = new HashMap<>();
        Process child = ChildJvm.start(List.of("-Xmx256m", "-XX:+ExitOnOutOfMemoryError"), MillionMessagesProcess.class,
                ChildJvm.poolArguments(config, prefix, Integer.toString(MESSAGES)));
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                System.out.println(setup + ": " + line);
                for (String pair : line.split(" ")) {
                    String[] kv = pair.split("=", 2);
                    results.putIfAbsent(kv[0], kv.length > 1 ? kv[1] : "");
                }
            }
            assertThat(child.waitFor(10, TimeUnit.MINUTES)).isTrue();
        } finally {
            child.destroyForcibly();
            try (HikariDataSource pool = new HikariDataSource(setup.config(name))) {
                new TestDatabase(setup, pool, prefix).close();
            }
        }
        assertThat(child.exitValue()).as("the child's exit code (an OutOfMemoryError exits with 3)").isZero();
        assertThat(results).containsEntry("written", "1000000").containsEntry("listed", "1000000")
                .containsEntry("pages", "1000").containsEntry("ordered", "true")
                .containsEntry("recounted", "1000000").containsEntry("deleted", "1000000")
                .containsEntry("found", "false");
        assertThat(Long.parseLong(results.get("maxHeapMb"))).isLessThanOrEqualTo(256);
    }
}
