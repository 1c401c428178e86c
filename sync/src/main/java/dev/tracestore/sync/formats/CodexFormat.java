package dev.tracestore.sync.formats;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracestore.MessageInput;
import dev.tracestore.Role;
import dev.tracestore.TokenUsage;
import dev.tracestore.sync.SessionFormat;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * OpenAI Codex CLI rollouts ({@code ~/.codex/sessions/YYYY/MM/DD/rollout-<time>-<uuid>.jsonl}).
 *
 * <p>Codex logs each conversation twice, as {@code response_item}s and as {@code event_msg}s;
 * only the {@code response_item} stream is read. What counts as a message:
 * <ul>
 *   <li>a {@code message} with role {@code user} ({@link Role#USER}) or {@code assistant}
 *       ({@link Role#ASSISTANT}), except the scaffolding Codex sends as user messages
 *       ({@code <environment_context>}, {@code <user_instructions>}, AGENTS.md instructions)
 *       and {@code developer}/{@code system} messages;
 *   <li>a tool call ({@code function_call}, {@code custom_tool_call}, {@code local_shell_call},
 *       {@code web_search_call}): one {@link Role#ASSISTANT} message;
 *   <li>a tool output ({@code function_call_output}, {@code custom_tool_call_output}): one
 *       {@link Role#TOOL} message;
 *   <li>not messages: {@code reasoning} (encrypted, not shown), {@code event_msg},
 *       {@code session_meta}, {@code turn_context}, {@code compacted}, legacy
 *       {@code record_type: "state"} lines.
 * </ul>
 * Lines carry no id, so external ids are derived: {@code call_id} for tool calls,
 * {@code call_id + "/output"} for outputs, {@code "line-" + N} otherwise; all stable when a
 * live session's file grows. Sequence: the line number. Title: the first prompt. Model: the
 * latest {@code turn_context}'s. Project: the last segment of {@code session_meta}'s {@code cwd}.
 *
 * <p>A tool call message has one tool call. Token usage comes from the {@code event_msg}
 * stream's {@code token_count} events, each given to the {@link Role#ASSISTANT} message (reply
 * or tool call) it follows, summed when several follow the same one:
 * <ul>
 *   <li>an event's tokens are the growth of {@code info.total_token_usage} since the previous
 *       event's, so an event repeated unchanged (Codex re-sends one when rate limits change)
 *       adds nothing; without totals, or when they shrank (a restarted count), its
 *       {@code info.last_token_usage}; events without {@code info}, or with no tokens, are skipped;
 *   <li>{@code input_tokens} includes the cached ones, so input is {@code input_tokens} minus
 *       {@code cached_input_tokens} and cache reads are {@code cached_input_tokens}; output is
 *       {@code output_tokens}, which includes {@code reasoning_output_tokens}; Codex reports no
 *       cache writes;
 *   <li>an event before any assistant message is reported as a problem and not counted.
 * </ul>
 * So an assistant message is held back until the next assistant message or prompt shows that
 * no more events are coming for it (tool outputs do not), or the file goes quiet; an event
 * that still comes after that is counted on the next assistant message.
 */
public final class CodexFormat implements SessionFormat {
    private static final Pattern FILE_UUID =
            Pattern.compile("([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\\.jsonl$");
    private static final Pattern STATE = Pattern.compile("t=(\\d+),(\\d+),(\\d+);c=(\\d+),(\\d+),(\\d+);p=([01]);a=([01])");
    private static final Set<String> NOT_CONVERSATION = Set.of("session_meta", "turn_context", "event_msg", "compacted");
    private static final Set<String> TOOL_CALLS = Set.of("function_call", "custom_tool_call", "local_shell_call",
            "web_search_call");
    private static final Set<String> TOOL_OUTPUTS = Set.of("function_call_output", "custom_tool_call_output");
    private static final List<String> SCAFFOLDING = List.of("<environment_context>", "<user_instructions>",
            "# AGENTS.md instructions", "<permissions instructions>");

    @Override
    public String agentId() {
        return "codex";
    }

    @Override
    public boolean claims(Path file) {
        String name = file.getFileName().toString();
        return name.startsWith("rollout-") && name.endsWith(".jsonl");
    }

    @Override
    public boolean recognises(Path file, List<JsonNode> head) {
        return head.stream().anyMatch(r -> r.has("payload") || r.has("record_type"));
    }

    @Override
    public String sessionId(Path file, List<JsonNode> head) {
        for (JsonNode r : head) {
            String id = "session_meta".equals(Json.text(r, "type")) ? Json.text(r.path("payload"), "id") : null;
            if (id != null && !id.isBlank()) {
                return id;
            }
        }
        Matcher m = FILE_UUID.matcher(file.getFileName().toString());
        return m.find() ? m.group(1) : null;
    }

    @Override
    public Reader reader(Path file, String state) {
        if (state == null) {
            return new CodexReader(Tokens.ZERO, Tokens.ZERO, false, false);
        }
        Matcher m = STATE.matcher(state);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a Codex reader state: " + state);
        }
        long[] n = new long[6];
        for (int i = 0; i < 6; i++) {
            n[i] = Long.parseLong(m.group(i + 1));
        }
        return new CodexReader(new Tokens(n[0], n[1], n[2]), new Tokens(n[3], n[4], n[5]), m.group(7).equals("1"),
                m.group(8).equals("1"));
    }

    private static final class CodexReader implements Reader {
        /** The latest assistant message, first, and the messages after it, which wait with it. */
        private final List<MessageInput> held = new ArrayList<>();
        /** The last event's {@code total_token_usage}. */
        private Tokens lastTotal;
        /** Tokens of events that came after their message was sent: for the next assistant message. */
        private Tokens carried;
        private boolean titled;
        private boolean assistantSeen;

        CodexReader(Tokens lastTotal, Tokens carried, boolean titled, boolean assistantSeen) {
            this.lastTotal = lastTotal;
            this.carried = carried;
            this.titled = titled;
            this.assistantSeen = assistantSeen;
        }

        private String state() {
            return "t=" + lastTotal + ";c=" + carried + ";p=" + (titled ? 1 : 0) + ";a=" + (assistantSeen ? 1 : 0);
        }

        @Override
        public void line(long number, JsonNode r, Sink sink) {
            if (r.has("record_type")) {
                if (held.isEmpty()) {
                    sink.cut(state());
                }
                return; // legacy state lines
            }
            String type = Json.text(r, "type");
            JsonNode payload = r.path("payload");
            Instant at = Timestamps.parse(Json.text(r, "timestamp"));
            sink.seen(at);
            MessageInput m = "response_item".equals(type) ? message(number, payload, at, sink) : null;
            if (m != null && m.role() != Role.TOOL) {
                release(sink); // a prompt or the next assistant message: no more events for the held one
            }
            if (held.isEmpty()) {
                sink.cut(state());
            }
            if ("session_meta".equals(type)) {
                String cwd = Json.text(payload, "cwd");
                if (cwd != null) {
                    sink.project(Titles.project(cwd));
                }
            } else if ("turn_context".equals(type) && Json.text(payload, "model") != null) {
                sink.model(Json.text(payload, "model"));
            }
            if (m != null) {
                take(m, sink);
            } else if ("event_msg".equals(type) && "token_count".equals(Json.text(payload, "type"))) {
                tokens(number, payload.path("info"), sink);
            } else if (type == null) {
                sink.problem(number, "record without a type: skipped");
            } else if (!"response_item".equals(type) && !NOT_CONVERSATION.contains(type)) {
                sink.problem(number, "unknown record type \"" + type + "\": skipped");
            }
        }

        private void take(MessageInput m, Sink sink) {
            if (m.role() == Role.USER && !titled) {
                titled = true;
                sink.title(Titles.fromPrompt(m.text()));
            }
            if (m.role() == Role.ASSISTANT) {
                assistantSeen = true;
                if (!carried.equals(Tokens.ZERO)) {
                    m = m.withUsage(carried.usage());
                    carried = Tokens.ZERO;
                }
                held.add(m);
            } else if (!held.isEmpty()) {
                held.add(m);
            } else {
                sink.message(m);
            }
        }

        private void tokens(long number, JsonNode info, Sink sink) {
            Tokens total = Tokens.of(info.get("total_token_usage"));
            Tokens last = Tokens.of(info.get("last_token_usage"));
            Tokens added = total == null ? last : total.isAtLeast(lastTotal) ? total.minus(lastTotal) : last;
            lastTotal = total != null ? total : lastTotal;
            if (added == null || added.equals(Tokens.ZERO)) {
                return; // no info (a rate-limit update), a repeated event, or nothing used
            }
            if (held.isEmpty()) {
                if (assistantSeen) {
                    carried = carried.plus(added);
                } else {
                    sink.problem(number, "token_count before any assistant message: not counted");
                }
                return;
            }
            MessageInput m = held.get(0);
            held.set(0, m.withUsage(m.usage() == null ? added.usage() : m.usage().plus(added.usage())));
        }

        private void release(Sink sink) {
            held.forEach(sink::message);
            held.clear();
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

        private static MessageInput message(long number, JsonNode payload, Instant at, Sink sink) {
            String kind = Json.text(payload, "type");
            String parts = "[" + payload + "]";
            String callId = Json.text(payload, "call_id");
            if ("message".equals(kind)) {
                String role = Json.text(payload, "role");
                String text = Json.joinedText(payload.get("content"), part -> true);
                if ("assistant".equals(role)) {
                    return MessageInput.of("line-" + number, number, Role.ASSISTANT, text).withCreatedAt(at).withPartsJson(parts);
                }
                if ("user".equals(role) && SCAFFOLDING.stream().noneMatch(text.stripLeading()::startsWith)) {
                    return MessageInput.of("line-" + number, number, Role.USER, text).withCreatedAt(at).withPartsJson(parts);
                }
                return null; // developer and system messages, scaffolding
            }
            if (TOOL_CALLS.contains(kind)) {
                String name = Json.text(payload, "name");
                String args = Json.text(payload, "arguments") != null ? Json.text(payload, "arguments")
                        : Json.text(payload, "input");
                String text = (name != null ? name : kind) + (args != null ? " " + args : "");
                String id = callId != null ? callId : "line-" + number;
                return MessageInput.of(id, number, Role.ASSISTANT, text).withCreatedAt(at).withPartsJson(parts).withToolCalls(1);
            }
            if (TOOL_OUTPUTS.contains(kind)) {
                JsonNode output = payload.get("output");
                String text = output == null ? "" : output.isTextual() ? output.asText()
                        : output.has("output") ? output.path("output").asText() : output.toString();
                String id = callId != null ? callId + "/output" : "line-" + number;
                return MessageInput.of(id, number, Role.TOOL, text).withCreatedAt(at).withPartsJson(parts);
            }
            if (!"reasoning".equals(kind)) {
                sink.problem(number, "unknown response item \"" + kind + "\": skipped");
            }
            return null;
        }
    }

    /** A {@code token_count} event's counts, as Codex reports them: input includes cached input. */
    private record Tokens(long input, long cachedInput, long output) {
        static final Tokens ZERO = new Tokens(0, 0, 0);

        /** The counts of a {@code *_token_usage} object, or null when there is none. */
        static Tokens of(JsonNode usage) {
            if (usage == null || !usage.isObject()) {
                return null;
            }
            return new Tokens(Json.count(usage, "input_tokens"), Json.count(usage, "cached_input_tokens"),
                    Json.count(usage, "output_tokens"));
        }

        boolean isAtLeast(Tokens o) {
            return input >= o.input && cachedInput >= o.cachedInput && output >= o.output;
        }

        Tokens minus(Tokens o) {
            return new Tokens(input - o.input, cachedInput - o.cachedInput, output - o.output);
        }

        Tokens plus(Tokens o) {
            return new Tokens(input + o.input, cachedInput + o.cachedInput, output + o.output);
        }

        /** In TokenUsage's terms, where input excludes what the cache served. */
        TokenUsage usage() {
            return new TokenUsage(Math.max(0, input - cachedInput), output, cachedInput, 0);
        }

        @Override
        public String toString() {
            return input + "," + cachedInput + "," + output;
        }
    }
}
