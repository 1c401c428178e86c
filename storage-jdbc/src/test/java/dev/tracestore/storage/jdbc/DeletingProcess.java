package dev.tracestore.storage.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tracestore.TraceStore;
import dev.tracestore.spi.TraceStorage;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

/**
 * The child JVM of {@link CrashDuringDeletionTest}: deletes one trace in chunks and prints
 * {@code chunk <n>} after each, pausing briefly so that the parent can kill it midway.
 * Arguments: JDBC URL, user (or "-"), password, table prefix, trace id, chunk size.
 */
final class DeletingProcess {
    private DeletingProcess() {}

    public static void main(String[] args) throws Exception {
        HikariConfig config = ChildJvm.poolConfig(args);
        try (HikariDataSource pool = new HikariDataSource(config)) {
            TraceStorage jdbc = JdbcTraceStorage.builder(pool).tablePrefix(args[3]).build();
            int[] chunks = {0};
            TraceStorage reporting = (TraceStorage) Proxy.newProxyInstance(TraceStorage.class.getClassLoader(),
                    new Class<?>[] {TraceStorage.class}, (p, method, a) -> {
                        Object result;
                        try {
                            result = method.invoke(jdbc, a);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                        if (method.getName().equals("deleteMessages")) {
                            System.out.println("chunk " + ++chunks[0]);
                            System.out.flush();
                            Thread.sleep(20);
                        }
                        return result;
                    });
            TraceStore store = TraceStore.builder().storage(reporting).deletionChunkSize(Integer.parseInt(args[5])).build();
            store.deleteTrace(Long.parseLong(args[4]));
            System.out.println("done");
        }
    }
}
