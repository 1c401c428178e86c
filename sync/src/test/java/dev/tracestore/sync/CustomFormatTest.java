package dev.tracestore.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracestore.MessageInput;
import dev.tracestore.Role;
import dev.tracestore.TraceStore;
import dev.tracestore.storage.memory.InMemoryTraceStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An application's own agent, as a {@link SessionFormat} of a dozen lines: synced once, and a failing one reported. */
class CustomFormatTest {
    @TempDir
    Path dir;

    /** {@code {"session": id, "who": "user"|"bot", "said": text}} per line; every line a message, complete. */
    static final class ChatLog implements SessionFormat {
        @Override
        public String agentId() {
            return "chat-log";
        }

        @Override
        public boolean claims(Path file) {
            return file.getFileName().toString().endsWith(".chat");
        }

        @Override
        public boolean recognises(Path file, List<JsonNode> head) {
            return !head.isEmpty() && head.get(0).has("said");
        }

        @Override
        public String sessionId(Path file, List<JsonNode> head) {
            return head.get(0).path("session").asText(null);
        }

        @Override
        public Reader reader(Path file, String state) {
            return new Reader() {
                @Override
                public void line(long number, JsonNode record, Sink sink) {
                    sink.cut(null);
                    if (record.path("said").asText().equals("boom")) {
                        throw new IllegalStateException("cannot read a boom");
                    }
                    Role role = record.path("who").asText().equals("bot") ? Role.ASSISTANT : Role.USER;
                    sink.message(MessageInput.of("line-" + number, number, role, record.path("said").asText()));
                }

                @Override
                public void end(boolean quiet, Sink sink) {
                    sink.cut(null);
                }
            };
        }
    }

    private static String line(String session, String who, String said) {
        return "{\"session\":\"" + session + "\",\"who\":\"" + who + "\",\"said\":\"" + said + "\"}\n";
    }

    @Test
    @DisplayName("an application's format, given to the builder, syncs its files exactly once; one that fails stops only its file")
    void customFormat() throws IOException {
        TraceStore store = TraceStore.builder().storage(InMemoryTraceStorage.create()).build();
        List<SessionFormat> formats = new ArrayList<>(SessionSync.installedFormats());
        formats.add(new ChatLog());
        SessionSync sync = SessionSync.builder(store).namespace("me").quietPeriod(Duration.ZERO).formats(formats).build();
        Files.writeString(dir.resolve("a.chat"), line("a", "user", "hi") + line("a", "bot", "hello") + line("a", "user", "bye"));
        Files.writeString(dir.resolve("b.chat"), line("b", "user", "one") + line("b", "user", "boom") + line("b", "user", "three"));

        SyncReport report = sync.sync(List.of(dir));
        SyncReport again = sync.sync(List.of(dir.resolve("a.chat")));

        assertThat(store.findTrace("me", "a").orElseThrow().messageCount()).isEqualTo(3);
        assertThat(store.findTrace("me", "a").orElseThrow().agentId()).isEqualTo("chat-log");
        assertThat(again.messages()).isZero();
        assertThat(report.problems()).singleElement().satisfies(p -> {
            assertThat(p.file()).isEqualTo(dir.resolve("b.chat"));
            assertThat(p.line()).isEqualTo(2);
            assertThat(p.reason()).startsWith("the chat-log format failed (java.lang.IllegalStateException: cannot read a boom)");
        });
        assertThat(store.findTrace("me", "b").orElseThrow().messageCount()).as("what came before the failure").isEqualTo(1);
    }
}
