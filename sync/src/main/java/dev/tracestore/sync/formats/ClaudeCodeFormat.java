package dev.tracestore.examples.importer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.tracestore.MessageInput;
import dev.tracestore.Role;
import dev.tracestore.TokenUsage;
import dev.tracestore.TraceInput;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Claude Code transcripts ({@code ~/.claude/projects/<project>/<sessionId>.jsonl}).
 *
 * <p>What counts as a message is what a reader of the transcript sees as one turn:
 * <ul>
 *   <li>a {@code user} line is one {@link Role#USER} message (prompts, slash commands and their
 *       output, task notifications), unless it is {@code isMeta} (text Claude Code injects and
 *       hides, such as the local-command caveat);
 *   <li>a {@code user} line that carries only {@code tool_result} blocks is one
 *       {@link Role#TOOL} message;
 *   <li>the {@code assistant} lines of one API reply (several lines, one per content block,
 *       sharing {@code message.id}) are <em>one</em> {@link Role#ASSISTANT} message, whose parts
 *       are all the blocks (text, thinking, tool calls);
 *   <li>not messages: {@code system} records (turn durations, API retry errors, local command
 *       bookkeeping), {@code progress} (which also mirrors subagent turns),
 *       {@code file-history-snapshot}, {@code queue-operation}, titles; sidechain lines
 *       ({@code isSidechain}: subagent turns, whose call and result the main thread already
 *       shows).
 * </ul>
 * External id: the line's {@code uuid} (the first line's, for a split reply), so re-importing
 * a grown file upserts the same messages. Sequence: the line number. Title: a
 * {@code custom-title}, else the {@code summary}, else the first prompt.
 *
 * <p>An assistant message's usage comes from {@code message.usage}, once per reply: its lines
 * repeat the same input and cache counts, and may carry a growing {@code output_tokens}
 * (written as the reply streamed), so each count is the largest over the reply's lines, never
 * their sum. Input is {@code input_tokens}, cache reads {@code cache_read_input_tokens}, cache
 * writes {@code cache_creation_input_tokens}. Its tool calls are its {@code tool_use} blocks,
 * each counted once by its {@code id}. Messages without {@code usage} get none.
 */
final class ClaudeCodeFormat {
    static final String AGENT = "claude-code";
    private static final Set<String> NOT_CONVERSATION = Set.of("system", "progress", "summary", "file-history-snapshot",
            "queue-operation", "custom-title", "ai-title", "agent-name", "tag", "pr-link", "last-prompt");

    private ClaudeCodeFormat() {}

    /** Whether the file's records look like a Claude Code transcript. */
    static boolean recognises(List<JsonLines.Line> lines) {
        return lines.stream().anyMatch(l -> l.record().has("sessionId") || "summary".equals(JsonLines.text(l.record(), "type")));
    }

    static ParsedSession parse(Path file, JsonLines.Content content, String namespace) {
        List<ImportProblem> problems = new ArrayList<>(content.problems());
        Map<String, Draft> drafts = new LinkedHashMap<>();
        String sessionId = null;
        String summary = null;
        String customTitle = null;
        String cwd = null;
        Instant started = null;

        for (JsonLines.Line line : content.lines()) {
            JsonNode r = line.record();
            String type = JsonLines.text(r, "type");
            sessionId = sessionId != null ? sessionId : JsonLines.text(r, "sessionId");
            cwd = cwd != null ? cwd : JsonLines.text(r, "cwd");
            Instant at = Timestamps.parse(JsonLines.text(r, "timestamp"));
            if (at != null && (started == null || at.isBefore(started))) {
                started = at;
            }
            if ("summary".equals(type)) {
                summary = JsonLines.text(r, "summary");
            } else if ("custom-title".equals(type)) {
                customTitle = JsonLines.text(r, "customTitle");
            }
            if (type == null) {
                problems.add(new ImportProblem(file, line.number(), "record without a type: skipped"));
            } else if (type.equals("user") || type.equals("assistant")) {
                conversation(file, line, type, at, drafts, problems);
            } else if (!NOT_CONVERSATION.contains(type)) {
                problems.add(new ImportProblem(file, line.number(), "unknown record type \"" + type + "\": skipped"));
            }
        }
        if (sessionId == null) {
            problems.add(new ImportProblem(file, 0, "no record carries a sessionId: not imported"));
            return null;
        }
        if (drafts.isEmpty() && content.lines().stream().anyMatch(l -> l.record().path("isSidechain").asBoolean(false))) {
            problems.add(new ImportProblem(file, 0, "a subagent (sidechain) transcript: not imported on its own, "
                    + "its parent session shows the call that started it and the result it returned"));
            return null;
        }
        List<MessageInput> messages = drafts.values().stream().map(Draft::toInput).toList();
        String title = customTitle != null ? customTitle : summary != null ? summary : Titles.fromPrompt(
                messages.stream().filter(m -> m.role() == Role.USER).map(MessageInput::text).findFirst().orElse(null));
        TraceInput trace = TraceInput.of(namespace, sessionId).withTitle(title).withAgent(AGENT)
                .withModel(mostUsedModel(drafts.values())).withProject(Titles.project(cwd)).withCreatedAt(started);
        return new ParsedSession(file, trace, messages, problems);
    }

    private static void conversation(Path file, JsonLines.Line line, String type, Instant at, Map<String, Draft> drafts,
            List<ImportProblem> problems) {
        JsonNode r = line.record();
        if (r.path("isMeta").asBoolean(false) || r.path("isSidechain").asBoolean(false)) {
            return;
        }
        String uuid = JsonLines.text(r, "uuid");
        JsonNode message = r.get("message");
        if (uuid == null || message == null || !message.isObject()) {
            problems.add(new ImportProblem(file, line.number(), type + " record without uuid or message: skipped"));
            return;
        }
        ArrayNode blocks = blocks(message.get("content"));
        if (type.equals("assistant")) {
            String replyId = JsonLines.text(message, "id");
            String key = replyId != null ? "reply:" + replyId : "line:" + uuid;
            Draft draft = drafts.computeIfAbsent(key, k -> new Draft(uuid, line.number(), Role.ASSISTANT, at));
            draft.model = draft.model != null ? draft.model : JsonLines.text(message, "model");
            draft.addUsage(message.get("usage"));
            draft.add(blocks);
            return;
        }
        boolean onlyToolResults = !blocks.isEmpty();
        for (JsonNode b : blocks) {
            onlyToolResults &= "tool_result".equals(JsonLines.text(b, "type"));
        }
        Draft draft = new Draft(uuid, line.number(), onlyToolResults ? Role.TOOL : Role.USER, at);
        draft.add(blocks);
        drafts.put("line:" + uuid, draft);
    }

    /** The content as a list of blocks: a plain string becomes one text block. */
    private static ArrayNode blocks(JsonNode content) {
        ArrayNode blocks = JsonLines.JSON.createArrayNode();
        if (content != null && content.isTextual()) {
            blocks.addObject().put("type", "text").put("text", content.asText());
        } else if (content != null && content.isArray()) {
            content.forEach(blocks::add);
        }
        return blocks;
    }

    private static String mostUsedModel(Iterable<Draft> drafts) {
        List<String> models = new ArrayList<>();
        drafts.forEach(d -> {
            if (d.model != null && !d.model.startsWith("<")) { // "<synthetic>" marks client-made replies
                models.add(d.model);
            }
        });
        return models.stream().collect(Collectors.groupingBy(Function.identity(), LinkedHashMap::new, Collectors.counting()))
                .entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(null);
    }

    /** A message being assembled from one or more lines. */
    private static final class Draft {
        final String externalId;
        final int line;
        final Role role;
        final Instant createdAt;
        final ArrayNode parts = JsonLines.JSON.createArrayNode();
        final StringBuilder text = new StringBuilder();
        final Set<String> toolUseIds = new HashSet<>();
        String model;
        int toolCalls;
        TokenUsage usage;

        Draft(String externalId, int line, Role role, Instant createdAt) {
            this.externalId = externalId;
            this.line = line;
            this.role = role;
            this.createdAt = createdAt;
        }

        void add(ArrayNode blocks) {
            for (JsonNode b : blocks) {
                parts.add(b);
                if ("tool_use".equals(JsonLines.text(b, "type"))) {
                    String id = JsonLines.text(b, "id");
                    toolCalls += id == null || toolUseIds.add(id) ? 1 : 0; // a block without an id cannot repeat
                }
                String t = switch (String.valueOf(JsonLines.text(b, "type"))) {
                    case "text" -> JsonLines.text(b, "text");
                    case "tool_result" -> toolResultText(b.get("content"));
                    default -> null; // thinking, tool_use, image: kept in the parts only
                };
                if (t != null && !t.isEmpty()) {
                    text.append(text.length() > 0 ? "\n\n" : "").append(t);
                }
            }
        }

        /**
         * Takes a line's {@code usage}: the largest of each count so far, since the lines of one
         * reply repeat the reply's usage rather than add to it.
         */
        void addUsage(JsonNode u) {
            if (u == null || !u.isObject()) {
                return;
            }
            TokenUsage line = new TokenUsage(count(u, "input_tokens"), count(u, "output_tokens"),
                    count(u, "cache_read_input_tokens"), count(u, "cache_creation_input_tokens"));
            usage = usage == null ? line : new TokenUsage(Math.max(usage.inputTokens(), line.inputTokens()),
                    Math.max(usage.outputTokens(), line.outputTokens()), Math.max(usage.cacheReadTokens(), line.cacheReadTokens()),
                    Math.max(usage.cacheWriteTokens(), line.cacheWriteTokens()));
        }

        /** A count, or 0 when absent, not a number or negative. */
        private static long count(JsonNode usage, String field) {
            JsonNode n = usage.get(field);
            return n != null && n.canConvertToLong() ? Math.max(0, n.asLong()) : 0;
        }

        private static String toolResultText(JsonNode content) {
            if (content == null) {
                return null;
            }
            if (content.isTextual()) {
                return content.asText();
            }
            StringBuilder sb = new StringBuilder();
            content.forEach(c -> {
                String t = JsonLines.text(c, "text");
                if (t != null) {
                    sb.append(sb.length() > 0 ? "\n" : "").append(t);
                }
            });
            return sb.toString();
        }

        MessageInput toInput() {
            return MessageInput.of(externalId, line, role, text.toString()).withModel(model).withCreatedAt(createdAt)
                    .withPartsJson(parts.toString()).withUsage(usage).withToolCalls(toolCalls);
        }
    }
}
