package dev.tracestore.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracestore.TraceDetail;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceNotFoundException;
import dev.tracestore.Visibility;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The contract's tests of share tokens, the names a public or unlisted trace's pages are
 * addressed by: made once and kept, found by one indexed read, revoked on demand or by making
 * the trace private, and never found for anything but the current token of a shareable trace.
 * Part of {@link TraceStorageContract}, which an adapter extends.
 */
public abstract class ShareContract extends ConcurrencyContract {

    @Nested
    @DisplayName("Share tokens")
    class ShareTokens {

        @Test
        @DisplayName("a shareable trace's token is 40 URL-safe characters, the same on every call, and finds the trace")
        void tokenIsStableAndFindsTheTrace() {
            TraceDetail t = trace("s-1");
            String token = store.shareToken(t.id());

            assertThat(token).hasSize(40).matches("[A-Za-z0-9_-]{40}");
            assertThat(store.shareToken(t.id())).isEqualTo(token);
            assertThat(store.findSharedTrace(token)).map(TraceDetail::id).contains(t.id());
        }

        @Test
        @DisplayName("writes to the trace keep its token: messages, a recount, an upsert that leaves the visibility")
        void writesKeepTheToken() {
            long id = trace("s-1").id();
            String token = store.shareToken(id);

            store.upsertMessagesBatch(id, messages("m", 1, 5));
            store.upsertMessage(id, messages("m", 6, 1).get(0));
            store.appendMessages(id, messages("m", 7, 2), null, "line-8");
            store.recalculateMessageCount(id);
            store.upsertTrace(TraceInput.of(NS, "s-1").withTitle("renamed"));
            store.upsertTrace(TraceInput.of(NS, "s-1").withVisibility(Visibility.UNLISTED));

            assertThat(store.shareToken(id)).isEqualTo(token);
            assertThat(store.findSharedTrace(token)).map(TraceDetail::title).contains("renamed");
        }

        @Test
        @DisplayName("a private trace has no token, and asking for one says why")
        void privateTraceHasNone() {
            long id = store.upsertTrace(TraceInput.of(NS, "secret")).id();

            assertThatThrownBy(() -> store.shareToken(id)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("trace " + id + " is private: make it public or unlisted to share it");
        }

        @Test
        @DisplayName("a revoked token finds nothing; the next token is new and finds the trace")
        void revokedTokenFindsNothing() {
            long id = trace("s-1").id();
            String old = store.shareToken(id);

            store.revokeShareToken(id);
            store.revokeShareToken(id); // revoking none is a no-op

            assertThat(store.findSharedTrace(old)).isEmpty();
            String fresh = store.shareToken(id);
            assertThat(fresh).isNotEqualTo(old);
            assertThat(store.findSharedTrace(fresh)).map(TraceDetail::id).contains(id);
            assertThat(store.findSharedTrace(old)).isEmpty();
        }

        @Test
        @DisplayName("making a trace private revokes its token at once; shared again, it gets a new one")
        void privateRevokes() {
            long id = trace("s-1").id();
            String old = store.shareToken(id);

            store.upsertTrace(TraceInput.of(NS, "s-1").withVisibility(Visibility.PRIVATE));
            assertThat(store.findSharedTrace(old)).isEmpty();

            store.upsertTrace(TraceInput.of(NS, "s-1").withVisibility(Visibility.UNLISTED));
            assertThat(store.findSharedTrace(old)).as("the old link stays dead").isEmpty();
            String fresh = store.shareToken(id);
            assertThat(fresh).isNotEqualTo(old);
            assertThat(store.findSharedTrace(fresh)).map(TraceDetail::visibility).contains(Visibility.UNLISTED);
        }

        @Test
        @DisplayName("a wrong secret, a wrong key, a malformed token and a deleted trace's token find nothing")
        void nothingButTheTokenFinds() {
            long id = trace("s-1").id();
            String token = store.shareToken(id);
            String key = token.substring(0, 16);
            String secret = token.substring(16);
            long deleted = trace("s-2").id();
            String deletedToken = store.shareToken(deleted);
            store.deleteTrace(deleted);

            char last = secret.charAt(secret.length() - 1);
            String oneCharOff = key + secret.substring(0, secret.length() - 1) + (last == 'A' ? 'B' : 'A');
            // The key in another case with the right secret: a lookup that ignored case (a MySQL collation) would find it.
            String keyOtherCase = swapCase(key).equals(key) ? flip(key) : swapCase(key);
            for (String probe : List.of(oneCharOff, flip(key) + secret, keyOtherCase + secret, token.substring(1),
                    token + "A", key + "%2F" + secret.substring(3), "", " ".repeat(40), String.valueOf(id), deletedToken)) {
                assertThat(store.findSharedTrace(probe)).as(probe).isEmpty();
            }
            assertThat(store.findSharedTrace(null)).isEmpty();
            assertThatThrownBy(() -> store.shareToken(deleted)).isInstanceOf(TraceNotFoundException.class);
            assertThatThrownBy(() -> store.revokeShareToken(deleted)).isInstanceOf(TraceNotFoundException.class);
            assertThatThrownBy(() -> store.shareToken(987_654)).isInstanceOf(TraceNotFoundException.class);
        }

        @Test
        @DisplayName("a trace made private while 3 threads share it ends with no token, and no link from the race works once it is shared again")
        void privateRacesShares() throws Exception {
            for (int round = 0; round < 10; round++) {
                String externalId = "r-" + round;
                long id = trace(externalId).id();
                Set<String> seen = ConcurrentHashMap.newKeySet();
                concurrently(4, t -> {
                    if (t == 0) {
                        store.upsertTrace(TraceInput.of(NS, externalId).withVisibility(Visibility.PRIVATE));
                        return;
                    }
                    for (int i = 0; i < 20; i++) {
                        try {
                            seen.add(store.shareToken(id));
                            store.revokeShareToken(id);
                        } catch (IllegalStateException madePrivate) {
                            return;
                        }
                    }
                });
                assertThat(storage.findTrace(id).orElseThrow().shareToken()).as("round %d: the private trace's token", round)
                        .isNull();
                store.upsertTrace(TraceInput.of(NS, externalId).withVisibility(Visibility.UNLISTED));
                String fresh = store.shareToken(id);
                assertThat(seen).as("round %d", round).doesNotContain(fresh);
                for (String old : seen) {
                    assertThat(store.findSharedTrace(old)).as("round %d: a link from the race", round).isEmpty();
                }
            }
        }

        @Test
        @DisplayName("8 threads asking a fresh trace for its token at once all get the same one")
        void concurrentCallersGetOneToken() throws Exception {
            long id = trace("s-1").id();
            Set<String> tokens = ConcurrentHashMap.newKeySet();

            concurrently(8, t -> tokens.add(store.shareToken(id)));

            assertThat(tokens).hasSize(1);
            assertThat(store.findSharedTrace(tokens.iterator().next())).isPresent();
        }

        @Test
        @DisplayName("200 traces get 200 different tokens, each finding its own trace")
        void tokensAreDistinct() {
            Set<String> tokens = new HashSet<>();
            for (int i = 0; i < 200; i++) {
                long id = trace("s-" + i).id();
                String token = store.shareToken(id);
                tokens.add(token);
                assertThat(store.findSharedTrace(token)).map(TraceDetail::id).contains(id);
            }
            assertThat(tokens).hasSize(200);
        }
    }

    private static String swapCase(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            b.append(Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c));
        }
        return b.toString();
    }

    private static String flip(String s) {
        char c = s.charAt(0);
        return (c == 'A' ? 'B' : 'A') + s.substring(1);
    }
}
