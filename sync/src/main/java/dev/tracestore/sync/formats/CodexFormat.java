package dev.tracestore.examples.importer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracestore.MessageInput;
import dev.tracestore.Role;
import dev.tracestore.TokenUsage;
import dev.tracestore.TraceInput;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * live session's file grows. Sequence: the line number.
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
 */
final class CodexFormat {
    static final String AGENT = "codex";
    private static final Pattern FILE_UUID =
            Pattern.compile("([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\\.jsonl$");
    private static final Set<String> NOT_CONVERSATION = Set.of("session_meta", "turn_context", "event_msg", "compacted");
    private static final Set<String> TOOL_CALLS = Set.of("function_call", "custom_tool_call", "local_shell_call",
            "web_search_call");
    private static final Set<String> TOOL_OUTPUTS = Set.of("function_call_output", "custom_tool_call_output");
    private static final List<String> SCAFFOLDING = List.of("<environment_context>", "<user_instructions>",
            "# AGENTS.md instructions", "<permissions instructions>");

    private CodexFormat() {}

    /** Whether the file's records look like a Codex rollout. */
    static boolean recognises(List<JsonLines.Line> lines) {
        return lines.stream().anyMatch(l -> l.record().has("payload") || l.record().has("record_type"));
    }

    static ParsedSession parse(Path file, JsonLines.Content content, String namespace) {
        List<ImportProblem> problems = new ArrayList<>(content.problems());
        Map<String, MessageInput> messages = new LinkedHashMap<>();
        String sessionId = null;
        String cwd = null;
        String model = null;
        Instant started = null;
        String lastAssistant = null;
        Tokens lastTotal = Tokens.ZERO;

        for (JsonLines.Line line : content.lines()) {
            JsonNode r = line.record();
            if (r.has("record_type")) {
                continue; // legacy state lines
            }
            String type = JsonLines.text(r, "type");
            JsonNode payload = r.path("payload");
            Instant at = Timestamps.parse(JsonLines.text(r, "timestamp"));
            if (at != null && (started == null || at.isBefore(started))) {
                started = at;
            }
            if ("session_meta".equals(type)) {
                sessionId = sessionId != null ? sessionId : JsonLines.text(payload, "id");
                cwd = cwd != null ? cwd : JsonLines.text(payload, "cwd");
            } else if ("turn_context".equals(type)) {
                model = JsonLines.text(payload, "model") != null ? JsonLines.text(payload, "model") : model;
            }
            if ("response_item".equals(type)) {
                MessageInput m = message(file, line, payload, at, problems);
                if (m != null) {
                    messages.put(m.externalId(), m);
                    lastAssistant = m.role() == Role.ASSISTANT ? m.externalId() : lastAssistant;
                }
            } else if ("event_msg".equals(type) && "token_count".equals(JsonLines.text(payload, "type"))) {
                JsonNode info = payload.path("info");
                Tokens total = Tokens.of(info.get("total_token_usage"));
                Tokens last = Tokens.of(info.get("last_token_usage"));
                Tokens added = total == null ? last : total.isAtLeast(lastTotal) ? total.minus(lastTotal) : last;
                lastTotal = total != null ? total : lastTotal;
                if (added == null || added.equals(Tokens.ZERO)) {
                    continue; // no info (a rate-limit update), a repeated event, or nothing used
                }
                if (lastAssistant == null) {
                    problems.add(new ImportProblem(file, line.number(), "token_count before any assistant message: not counted"));
                    continue;
                }
                messages.computeIfPresent(lastAssistant, (id, m) ->
                        m.withUsage(m.usage() == null ? added.usage() : m.usage().plus(added.usage())));
            } else if (type == null) {
                problems.add(new ImportProblem(file, line.number(), "record without a type: skipped"));
            } else if (!NOT_CONVERSATION.contains(type)) {
                problems.add(new ImportProblem(file, line.number(), "unknown record type \"" + type + "\": skipped"));
            }
        }
        if (sessionId == null) {
            Matcher m = FILE_UUID.matcher(file.getFileName().toString());
            if (!m.find()) {
                problems.add(new ImportProblem(file, 0, "no session_meta id and no session id in the file name: not imported"));
                return null;
            }
            sessionId = m.group(1);
        }
        String title = Titles.fromPrompt(messages.values().stream().filter(m -> m.role() == Role.USER)
                .map(MessageInput::text).findFirst().orElse(null));
        TraceInput trace = TraceInput.of(namespace, sessionId).withTitle(title).withAgent(AGENT).withModel(model)
                .withProject(Titles.project(cwd)).withCreatedAt(started);
        return new ParsedSession(file, trace, List.copyOf(messages.values()), problems);
    }

    private static MessageInput message(Path file, JsonLines.Line line, JsonNode payload, Instant at,
            List<ImportProblem> problems) {
        String kind = JsonLines.text(payload, "type");
        String parts = "[" + payload + "]";
        String callId = JsonLines.text(payload, "call_id");
        if ("message".equals(kind)) {
            String role = JsonLines.text(payload, "role");
            String text = contentText(payload.get("content"));
            if ("assistant".equals(role)) {
                return MessageInput.of("line-" + line.number(), line.number(), Role.ASSISTANT, text)
                        .withCreatedAt(at).withPartsJson(parts);
            }
            if ("user".equals(role) && SCAFFOLDING.stream().noneMatch(text.stripLeading()::startsWith)) {
                return MessageInput.of("line-" + line.number(), line.number(), Role.USER, text)
                        .withCreatedAt(at).withPartsJson(parts);
            }
            return null; // developer and system messages, scaffolding
        }
        if (TOOL_CALLS.contains(kind)) {
            String name = JsonLines.text(payload, "name");
            String args = JsonLines.text(payload, "arguments") != null ? JsonLines.text(payload, "arguments")
                    : JsonLines.text(payload, "input");
            String text = (name != null ? name : kind) + (args != null ? " " + args : "");
            String id = callId != null ? callId : "line-" + line.number();
            return MessageInput.of(id, line.number(), Role.ASSISTANT, text).withCreatedAt(at).withPartsJson(parts)
                    .withToolCalls(1);
        }
        if (TOOL_OUTPUTS.contains(kind)) {
            JsonNode output = payload.get("output");
            String text = output == null ? "" : output.isTextual() ? output.asText()
                    : output.has("output") ? output.path("output").asText() : output.toString();
            String id = callId != null ? callId + "/output" : "line-" + line.number();
            return MessageInput.of(id, line.number(), Role.TOOL, text).withCreatedAt(at).withPartsJson(parts);
        }
        if (!"reasoning".equals(kind)) {
            problems.add(new ImportProblem(file, line.number(), "unknown response item \"" + kind + "\": skipped"));
        }
        return null;
    }

    private static String contentText(JsonNode content) {
        if (content == null) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder sb = new StringBuilder();
        content.forEach(part -> {
            String t = JsonLines.text(part, "text");
            if (t != null) {
                sb.append(sb.length() > 0 ? "\n\n" : "").append(t);
            }
        });
        return sb.toString();
    }

    /** A {@code token_count} event's counts, as Codex reports them: input includes cached input. */
    private record Tokens(long input, long cachedInput, long output) {
        static final Tokens ZERO = new Tokens(0, 0, 0);

        /** The counts of a {@code *_token_usage} object, or null when there is none. */
        static Tokens of(JsonNode usage) {
            if (usage == null || !usage.isObject()) {
                return null;
            }
            return new Tokens(count(usage, "input_tokens"), count(usage, "cached_input_tokens"), count(usage, "output_tokens"));
        }

        private static long count(JsonNode usage, String field) {
            JsonNode n = usage.get(field);
            return n != null && n.canConvertToLong() ? Math.max(0, n.asLong()) : 0;
        }

        boolean isAtLeast(Tokens o) {
            return input >= o.input && cachedInput >= o.cachedInput && output >= o.output;
        }

        Tokens minus(Tokens o) {
            return new Tokens(input - o.input, cachedInput - o.cachedInput, output - o.output);
        }

        /** In TokenUsage's terms, where input excludes what the cache served. */
        TokenUsage usage() {
            return new TokenUsage(Math.max(0, input - cachedInput), output, cachedInput, 0);
        }
    }
}
