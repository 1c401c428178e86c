package dev.tracestore.sync.formats;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracestore.MessageInput;
import dev.tracestore.Role;
import dev.tracestore.TokenUsage;
import dev.tracestore.sync.SessionFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Gemini CLI chat recordings as JSON Lines ({@code ~/.gemini/tmp/<project>/chats/session-*.jsonl},
 * written since Gemini CLI v0.39.0; read as {@code chatRecordingService.ts} and
 * {@code chatRecordingTypes.ts} of v0.56.0 write and read them).
 *
 * <p>A file is a first metadata line ({@code sessionId}, {@code projectHash}, {@code startTime}),
 * then records of four kinds, as Gemini CLI's own reader tells them apart, in this order:
 * <ul>
 *   <li>{@code {"$rewindTo": id}}: the message {@code id} and every message after it are
 *       removed (the conversation was rewound); an id not in the conversation removes them all;
 *   <li>a message record (a string {@code id}): a new message, or, when its id was seen before,
 *       the whole message written again after it changed (tokens or tool calls added): the
 *       last record of an id wins, in the place of its first;
 *   <li>{@code {"$set": {...}}}: conversation fields; {@code summary} is the title, and a
 *       {@code messages} array (a checkpoint, since v0.44) replaces the whole conversation;
 *   <li>a metadata record ({@code sessionId} and {@code projectHash}).
 * </ul>
 * What counts as a message: a {@code gemini} record is one {@link Role#ASSISTANT} message
 * (its text the string {@code content}, or the non-thought text parts), with
 * {@code toolCalls.length} tool calls, unless it has no text, no tool call and no thought; a
 * {@code user} record is one {@link Role#USER} message, unless its text is empty or starts with
 * {@code /}, {@code ?}, {@code <session_context>} or {@code <hook_context>} (commands and
 * context Gemini CLI itself leaves out of a resumed conversation); a {@code user} record of
 * only {@code functionResponse} parts (tool results, since v0.44) is one {@link Role#TOOL}
 * message; {@code info}, {@code warning} and {@code error} records are not messages.
 *
 * <p>External id: the record's {@code id}. Sequence: the line of its first record, times
 * 65,536, plus its place in a checkpoint's list. Title: the last {@code summary}, else the first
 * prompt. Model: the latest reply's. Project: the directory above {@code chats}, unless it is
 * the 64-digit hash older versions used. Usage, per {@code gemini} record, from {@code tokens}:
 * input is {@code input} minus {@code cached} (Gemini's input includes what the cache served),
 * cache reads {@code cached}, output {@code output} plus {@code thoughts} (reasoning is billed as
 * output); {@code tool} is not counted; no cache writes.
 *
 * <p>Since a message is written again as it changes, the latest message is held back until a
 * reply or a prompt with another id follows (tool results do not end it), or the file is quiet.
 *
 * <p>Versions up to v0.38 wrote {@code session-*.json}: one {@code ConversationRecord} document
 * ({@code sessionId}, {@code projectHash}, {@code startTime}, {@code lastUpdated},
 * {@code messages}, {@code summary}), rewritten whole on every change. Such a file is read whole,
 * its messages by the same rules, and read again whenever it changes (its trace's messages
 * replaced); one that Gemini CLI has since migrated to a {@code .jsonl} beside it is left to that.
 */
public final class GeminiCliFormat implements SessionFormat {
    private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");
    private static final List<String> IGNORED_PROMPTS = List.of("/", "?", "<session_context>", "<hook_context>");

    @Override
    public String agentId() {
        return "gemini-cli";
    }

    /** {@code session-*.jsonl}, and {@code session-*.json} unless Gemini CLI has migrated it to the {@code .jsonl} beside it. */
    @Override
    public boolean claims(Path file) {
        String name = file.getFileName().toString();
        return name.startsWith("session-") && (name.endsWith(".jsonl")
                || name.endsWith(".json") && !Files.exists(file.resolveSibling(name + "l")));
    }

    @Override
    public boolean recognises(Path file, List<JsonNode> head) {
        return head.stream().anyMatch(r -> r.hasNonNull("sessionId") && r.hasNonNull("projectHash"));
    }

    @Override
    public String sessionId(Path file, List<JsonNode> head) {
        return head.stream().filter(r -> r.has("projectHash")).map(r -> Json.text(r, "sessionId"))
                .filter(id -> id != null && !id.isBlank()).findFirst().orElse(null);
    }

    @Override
    public Reader reader(Path file, String state) {
        int titleRank = 0;
        if (state != null) {
            if (!state.matches("t=[0-2]")) {
                throw new IllegalArgumentException("not a Gemini CLI reader state: " + state);
            }
            titleRank = state.charAt(2) - '0';
        }
        return new GeminiReader(project(file), titleRank);
    }

    /** The directory above {@code chats}: Gemini CLI's short project name since v0.29, a hash before. */
    private static String project(Path file) {
        Path chats = file.getParent();
        if (chats == null || chats.getFileName() == null || !chats.getFileName().toString().equals("chats")
                || chats.getParent() == null || chats.getParent().getFileName() == null) {
            return null;
        }
        String name = chats.getParent().getFileName().toString();
        return HASH.matcher(name).matches() ? null : name;
    }

    private static final class GeminiReader implements Reader {
        private static final int PROMPT = 1, SUMMARY = 2;
        private final String project;
        /** The latest message and those after it, which wait with it: ids with their first line and their last record. */
        private final List<Held> held = new ArrayList<>();
        /** The sequences of the records this pass released, for a rewind to find: at most {@value #RELEASED_KEPT}. */
        private final Map<String, Long> released = new HashMap<>();
        private static final int RELEASED_KEPT = 10_000;
        private int titleRank;

        GeminiReader(String project, int titleRank) {
            this.project = project;
            this.titleRank = titleRank;
        }

        private record Held(String id, long sequence, JsonNode record) {
        }

        private String state() {
            return titleRank == 0 ? null : "t=" + titleRank;
        }

        @Override
        public void line(long number, JsonNode r, Sink sink) {
            if (project != null) {
                sink.project(project);
            }
            if (r.has("$rewindTo") && r.get("$rewindTo").isTextual()) {
                rewind(r.get("$rewindTo").asText(), sink);
            } else if (r.has("id") && r.get("id").isTextual()) {
                record(number << 16, r, sink);
            } else if (r.has("$set") && r.get("$set").isObject()) {
                JsonNode set = r.get("$set");
                if (held.isEmpty()) {
                    sink.cut(state());
                }
                title(SUMMARY, Json.text(set, "summary"), sink);
                if (set.has("messages") && set.get("messages").isArray()) {
                    checkpoint(number, set.get("messages"), sink);
                }
            } else if (r.has("sessionId") && r.has("projectHash")) {
                if (held.isEmpty()) {
                    sink.cut(state());
                }
                sink.seen(Timestamps.parse(Json.text(r, "startTime")));
                title(SUMMARY, Json.text(r, "summary"), sink); // a whole-file document's
            } else {
                sink.problem(number, "neither a message, a $set, a $rewindTo nor metadata: skipped");
            }
        }

        /** A message record: new, or the latest form of one seen before. */
        private void record(long sequence, JsonNode r, Sink sink) {
            String id = r.get("id").asText();
            for (int i = 0; i < held.size(); i++) {
                if (held.get(i).id().equals(id)) {
                    held.set(i, new Held(id, held.get(i).sequence(), r)); // the last record of an id wins, in its place
                    return;
                }
            }
            String type = Json.text(r, "type");
            boolean toolResults = "user".equals(type) && onlyFunctionResponses(r.get("content"));
            if (!held.isEmpty() && !toolResults) {
                release(sink); // a reply or a prompt of its own: the held messages are complete
            }
            if (held.isEmpty()) {
                sink.cut(state());
            }
            sink.seen(Timestamps.parse(Json.text(r, "timestamp")));
            held.add(new Held(id, sequence, r));
        }

        private void rewind(String id, Sink sink) {
            for (int i = 0; i < held.size(); i++) {
                if (held.get(i).id().equals(id)) {
                    held.subList(i, held.size()).clear(); // never emitted: nothing to remove elsewhere
                    return; // no cut here: read again from this line, the rewind would miss what it removed
                }
            }
            Long sequence = released.get(id);
            held.clear(); // they all came after the released record the rewind names
            if (sequence != null) {
                sink.rewind(sequence, state());
            } else {
                sink.rewindTo(id, state()); // released by an earlier pass: the store knows its sequence
            }
        }

        /** {@code $set.messages}: the whole conversation, replaced. */
        private void checkpoint(long number, JsonNode messages, Sink sink) {
            held.clear();
            released.clear();
            sink.rewind(Long.MIN_VALUE, state());
            int index = 0;
            for (JsonNode m : messages) {
                if (m.has("id") && m.get("id").isTextual() && index < 65_536) {
                    // Held, with no cut at this line: the next line's, or the end's, comes after them all.
                    held.add(new Held(m.get("id").asText(), (number << 16) + index++, m));
                }
            }
        }

        @Override
        public void end(boolean quiet, Sink sink) {
            if (quiet) {
                release(sink);
            }
            if (held.isEmpty()) {
                sink.cut(state());
            }
        }

        private void release(Sink sink) {
            if (released.size() + held.size() > RELEASED_KEPT) {
                released.clear(); // older ones are looked up in the store
            }
            for (Held h : held) {
                released.put(h.id(), h.sequence());
                MessageInput m = message(h);
                if (m != null) {
                    if (m.role() == Role.USER && titleRank < PROMPT) {
                        title(PROMPT, Titles.fromPrompt(m.text()), sink);
                    }
                    if (m.model() != null) {
                        sink.model(m.model());
                    }
                    sink.message(m);
                }
            }
            held.clear();
        }

        private void title(int rank, String title, Sink sink) {
            if (title != null && !title.isBlank() && rank >= titleRank) {
                titleRank = rank;
                sink.title(title);
            }
        }

        /** The message a record is, or null when it is none. */
        private static MessageInput message(Held h) {
            JsonNode r = h.record();
            String type = String.valueOf(Json.text(r, "type"));
            Instant at = Timestamps.parse(Json.text(r, "timestamp"));
            JsonNode content = r.get("content");
            String parts = "[" + r + "]";
            switch (type) {
                case "user" -> {
                    if (onlyFunctionResponses(content)) {
                        return MessageInput.of(h.id(), h.sequence(), Role.TOOL, functionResponses(content)).withCreatedAt(at)
                                .withPartsJson(parts);
                    }
                    String text = text(content);
                    String trimmed = text.strip();
                    if (trimmed.isEmpty() || IGNORED_PROMPTS.stream().anyMatch(trimmed::startsWith)) {
                        return null;
                    }
                    return MessageInput.of(h.id(), h.sequence(), Role.USER, text).withCreatedAt(at).withPartsJson(parts);
                }
                case "gemini" -> {
                    String text = text(content);
                    int toolCalls = r.path("toolCalls").isArray() ? r.get("toolCalls").size() : 0;
                    boolean thoughts = r.path("thoughts").isArray() && !r.get("thoughts").isEmpty();
                    if (text.isBlank() && toolCalls == 0 && !thoughts) {
                        return null;
                    }
                    return MessageInput.of(h.id(), h.sequence(), Role.ASSISTANT, text).withCreatedAt(at)
                            .withPartsJson(parts).withModel(Json.text(r, "model")).withUsage(usage(r.get("tokens")))
                            .withToolCalls(toolCalls);
                }
                default -> {
                    return null; // info, warning, error: notices, not messages
                }
            }
        }

        private static TokenUsage usage(JsonNode tokens) {
            if (tokens == null || !tokens.isObject()) {
                return null;
            }
            long input = Json.count(tokens, "input");
            long cached = Json.count(tokens, "cached");
            return new TokenUsage(Math.max(0, input - cached), Json.count(tokens, "output") + Json.count(tokens, "thoughts"),
                    cached, 0);
        }

        /** A string content as it is; a list of parts: their text, thoughts left out. */
        private static String text(JsonNode content) {
            return Json.joinedText(content, part -> !part.path("thought").asBoolean(false));
        }

        private static boolean onlyFunctionResponses(JsonNode content) {
            if (content == null || !content.isArray() || content.isEmpty()) {
                return false;
            }
            for (JsonNode part : content) {
                if (!part.has("functionResponse")) {
                    return false;
                }
            }
            return true;
        }

        private static String functionResponses(JsonNode content) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : content) {
                JsonNode response = part.path("functionResponse").path("response");
                String output = response.has("output") ? response.get("output").asText() : response.toString();
                sb.append(sb.length() > 0 ? "\n" : "").append(output);
            }
            return sb.toString();
        }
    }
}
