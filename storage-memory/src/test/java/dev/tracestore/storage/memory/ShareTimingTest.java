package dev.tracestore.storage.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracestore.TraceInput;
import dev.tracestore.TraceStore;
import dev.tracestore.Visibility;
import dev.tracestore.spi.TraceStorage;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The same work for every share token that opens nothing, so that a prober timing the answers
 * cannot tell a wrong secret from an unknown key, a revoked token or a private trace: each is
 * exactly the one storage call a hit makes, the indexed lookup by key. (The secret's comparison
 * is {@code MessageDigest.isEqual}, constant in the position of the first difference.)
 */
class ShareTimingTest {

    @Test
    void everyMiss_makesTheSameOneStorageCallAsAHit() {
        InMemoryTraceStorage memory = InMemoryTraceStorage.create();
        List<String> calls = new ArrayList<>();
        TraceStorage counted = (TraceStorage) Proxy.newProxyInstance(TraceStorage.class.getClassLoader(),
                new Class<?>[] {TraceStorage.class}, (proxy, method, args) -> {
                    calls.add(method.getName());
                    try {
                        return method.invoke(memory, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        TraceStore store = TraceStore.builder().storage(counted).build();
        long shared = store.upsertTrace(TraceInput.of("ns", "shared").withVisibility(Visibility.UNLISTED)).id();
        String token = store.shareToken(shared);
        long revoked = store.upsertTrace(TraceInput.of("ns", "revoked").withVisibility(Visibility.PUBLIC)).id();
        String revokedToken = store.shareToken(revoked);
        store.revokeShareToken(revoked);
        long secret = store.upsertTrace(TraceInput.of("ns", "secret").withVisibility(Visibility.PUBLIC)).id();
        String privateToken = store.shareToken(secret);
        store.upsertTrace(TraceInput.of("ns", "secret").withVisibility(Visibility.PRIVATE));
        long deleted = store.upsertTrace(TraceInput.of("ns", "deleted").withVisibility(Visibility.PUBLIC)).id();
        String deletedToken = store.shareToken(deleted);
        store.deleteTrace(deleted);
        String key = token.substring(0, 16);
        String secretHalf = token.substring(16);

        List<String> misses = List.of(key + otherFirst(secretHalf), // the right key, a wrong secret
                otherFirst(key) + secretHalf, // an unknown key
                revokedToken, privateToken, deletedToken);
        for (String miss : misses) {
            calls.clear();
            assertThat(store.findSharedTrace(miss)).as(miss).isEmpty();
            assertThat(calls).as(miss).containsExactly("findTraceByShareKey");
        }
        calls.clear();
        assertThat(store.findSharedTrace(token)).isPresent();
        assertThat(calls).as("a hit, whose count and totals are known").containsExactly("findTraceByShareKey");

        calls.clear();
        assertThat(store.findSharedTrace("not a token")).isEmpty();
        assertThat(calls).as("a malformed token: no storage call").isEmpty();
    }

    private static String otherFirst(String s) {
        return (s.charAt(0) == 'A' ? 'B' : 'A') + s.substring(1);
    }
}
