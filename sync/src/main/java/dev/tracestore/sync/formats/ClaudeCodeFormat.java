package dev.tracestore.sync.formats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.tracestore.MessageInput;
import dev.tracestore.Role;
import dev.tracestore.TokenUsage;
import dev.tracestore.sync.SessionFormat;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

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
 *       shows). Subagent transcripts ({@code <session>/subagents/*.jsonl}) are not claimed when
 *       walking a directory.
 * </ul>
 * External id: the line's {@code uuid} (the first line's, for a split reply). Sequence: the
 * line number. Title: the last {@code custom-title}, else the last {@code summary}, else the
 * first prompt. Model: the latest reply's (not {@code <synthetic>}, which marks replies the
 * client made). Project: the last segment of the first {@code cwd}.
 *
 * <p>A reply is held back while its lines may still be arriving: until an {@code assistant}
 * line of another reply or a prompt follows (tool results do not end it: the lines of a reply
 * with parallel tool calls may come between them), or the file goes quiet. A line of the reply
 * that arrives after that becomes a message of its own.
 *
 * <p>An assistant message's usage comes from {@code message.usage}, once per reply: its lines
 * repeat the same input and cache counts, and may carry a growing {@code output_tokens}
 * (written as the reply streamed), so each count is the largest over the reply's lines, never
 * their sum. Input is {@code input_tokens}, cache reads {@code cache_read_input_tokens}, cache
 * writes {@code cache_creation_input_tokens}. Its tool calls are its {@code tool_use} blocks,
 * each counted once by its {@code id}. Messages without {@code usage} get none.
 */
public final class ClaudeCodeFormat implements SessionFormat {
    private static final Set<String> NOT_CONVERSATION = Set.of("system", "progress", "summary", "file-history-snapshot",
            "queue-operation", "custom-title", "ai-title", "agent-name", "tag", "pr-link", "last-prompt");
    private static final Pattern UUID_FILE = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\.jsonl");
    /** Title sources, weakest first: a state's {@code t=} is the strongest one seen. */
    private static final int PROMPT = 1, SUMMARY = 2, CUSTOM = 3;

    @Override
    public String agentId() {
        return "claude-code";
    }

    @Override
    public boolean claims(Path file) {
        Path parent = file.getParent();
        return file.getFileName().toString().endsWith(".jsonl")
                && !(parent != null && parent.getFileName() != null && parent.getFileName().toString().equals("subagents"));
    }

    @Override
    public boolean recognises(Path file, List<JsonNode> head) {
        // Every Claude Code line has a type; Gemini CLI's metadata line has a sessionId too, and a projectHash.
        return head.stream().noneMatch(r -> r.has("projectHash")) && head.stream().anyMatch(r -> Json.text(r, "type") != null
                && (r.has("sessionId") || "summary".equals(Json.text(r, "type"))));
    }

    @Override
    public String sessionId(Path file, List<JsonNode> head) {
        return head.stream().map(r -> Json.text(r, "sessionId")).filter(id -> id != null && !id.isBlank()).findFirst()
                .orElseGet(() -> {
                    String name = file.getFileName().toString();
                    return UUID_FILE.matcher(name).matches() ? name.substring(0, name.length() - ".jsonl".length()) : null;
                });
    }

    @Override
    public Reader reader(Path file, String state) {
        int titleRank = 0;
        if (state != null) {
            if (!state.matches("t=[0-3]")) {
                throw new IllegalArgumentException("not a Claude Code reader state: " + state);
            }
            titleRank = state.charAt(2) - '0';
        }
        return new ClaudeReader(titleRank);
    }

    private static final class ClaudeReader implements Reader {
        /** The open reply, first, and the messages after it, which wait with it. */
        private final List<Draft> held = new ArrayList<>();
        private String openReply;
        private int titleRank;
        private boolean messages;
        private boolean sidechain;

        ClaudeReader(int titleRank) {
            this.titleRank = titleRank;
        }

        @Override
        public void line(long number, JsonNode r, Sink sink) {
            String type = Json.text(r, "type");
            sink.seen(Timestamps.parse(Json.text(r, "timestamp")));
            String cwd = Json.text(r, "cwd");
            if (cwd != null) {
                sink.project(Titles.project(cwd));
            }
            boolean conversation = "user".equals(type) || "assistant".equals(type);
            JsonNode message = r.get("message");
            boolean skipped = conversation && (r.path("isMeta").asBoolean(false) || r.path("isSidechain").asBoolean(false));
            sidechain |= r.path("isSidechain").asBoolean(false);
            ArrayNode blocks = conversation ? blocks(message == null ? null : message.get("content")) : null;
            String replyKey = "assistant".equals(type) && message != null && message.isObject()
                    ? (Json.text(message, "id") != null ? "reply:" + Json.text(message, "id") : "line:" + Json.text(r, "uuid"))
                    : null;
            boolean endsReply = conversation && !skipped && openReply != null
                    && (replyKey != null ? !replyKey.equals(openReply) : !onlyToolResults(blocks));
            if (endsReply) {
                held.forEach(d -> sink.message(d.toInput()));
                held.clear();
                openReply = null;
            }
            if (held.isEmpty()) {
                sink.cut(titleRank == 0 ? null : "t=" + titleRank);
            }
            if ("summary".equals(type)) {
                title(SUMMARY, Json.text(r, "summary"), sink);
            } else if ("custom-title".equals(type)) {
                title(CUSTOM, Json.text(r, "customTitle"), sink);
            }
            if (type == null) {
                sink.problem(number, "record without a type: skipped");
            } else if (conversation && !skipped) {
                conversation(number, r, type, message, blocks, replyKey, sink);
            } else if (!conversation && !NOT_CONVERSATION.contains(type)) {
                sink.problem(number, "unknown record type \"" + type + "\": skipped");
            }
        }

        private void conversation(long number, JsonNode r, String type, JsonNode message, ArrayNode blocks, String replyKey,
                Sink sink) {
            String uuid = Json.text(r, "uuid");
            if (uuid == null || message == null || !message.isObject()) {
                sink.problem(number, type + " record without uuid or message: skipped");
                return;
            }
            Instant at = Timestamps.parse(Json.text(r, "timestamp"));
            messages = true;
            if (replyKey != null) {
                if (openReply == null) {
                    held.add(0, new Draft(uuid, number, Role.ASSISTANT, at));
                    openReply = replyKey;
                }
                Draft reply = held.get(0);
                String model = Json.text(message, "model");
                if (reply.model == null && model != null) {
                    reply.model = model;
                    if (!model.startsWith("<")) { // "<synthetic>" marks replies the client made
                        sink.model(model);
                    }
                }
                reply.addUsage(message.get("usage"));
                reply.add(blocks);
                return;
            }
            Draft d = new Draft(uuid, number, onlyToolResults(blocks) ? Role.TOOL : Role.USER, at);
            d.add(blocks);
            if (d.role == Role.USER && titleRank < PROMPT) {
                title(PROMPT, Titles.fromPrompt(d.text.toString()), sink);
            }
            if (openReply != null) {
                held.add(d);
            } else {
                sink.message(d.toInput());
            }
        }

        @Override
        public void end(boolean quiet, Sink sink) {
            if (quiet) {
                held.forEach(d -> sink.message(d.toInput()));
                held.clear();
                openReply = null;
            }
            if (held.isEmpty()) {
                sink.cut(titleRank == 0 ? null : "t=" + titleRank);
            }
            if (!messages && sidechain) {
                sink.problem(0, "a subagent (sidechain) transcript: not synced on its own, its parent session shows"
                        + " the call that started it and the result it returned");
            }
        }

        private void title(int rank, String title, Sink sink) {
            if (title != null && !title.isBlank() && rank >= titleRank) {
                titleRank = rank;
                sink.title(title);
            }
        }

        private static boolean onlyToolResults(ArrayNode blocks) {
            if (blocks == null || blocks.isEmpty()) {
                return false;
            }
            for (JsonNode b : blocks) {
                if (!"tool_result".equals(Json.text(b, "type"))) {
                    return false;
                }
            }
            return true;
        }

        /** The content as a list of blocks: a plain string becomes one text block. */
        private static ArrayNode blocks(JsonNode content) {
            ArrayNode blocks = Json.MAPPER.createArrayNode();
            if (content != null && content.isTextual()) {
                blocks.addObject().put("type", "text").put("text", content.asText());
            } else if (content != null && content.isArray()) {
                content.forEach(blocks::add);
            }
            return blocks;
        }
    }

    /** A message being assembled from one or more lines. */
    private static final class Draft {
        final String externalId;
        final long line;
        final Role role;
        final Instant createdAt;
        final ArrayNode parts = Json.MAPPER.createArrayNode();
        final StringBuilder text = new StringBuilder();
        final Set<String> toolUseIds = new HashSet<>();
        String model;
        int toolCalls;
        TokenUsage usage;

        Draft(String externalId, long line, Role role, Instant createdAt) {
            this.externalId = externalId;
            this.line = line;
            this.role = role;
            this.createdAt = createdAt;
        }

        void add(ArrayNode blocks) {
            for (JsonNode b : blocks) {
                parts.add(b);
                if ("tool_use".equals(Json.text(b, "type"))) {
                    String id = Json.text(b, "id");
                    toolCalls += id == null || toolUseIds.add(id) ? 1 : 0; // a block without an id cannot repeat
                }
                String t = switch (String.valueOf(Json.text(b, "type"))) {
                    case "text" -> Json.text(b, "text");
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
            TokenUsage line = new TokenUsage(Json.count(u, "input_tokens"), Json.count(u, "output_tokens"),
                    Json.count(u, "cache_read_input_tokens"), Json.count(u, "cache_creation_input_tokens"));
            usage = usage == null ? line : new TokenUsage(Math.max(usage.inputTokens(), line.inputTokens()),
                    Math.max(usage.outputTokens(), line.outputTokens()), Math.max(usage.cacheReadTokens(), line.cacheReadTokens()),
                    Math.max(usage.cacheWriteTokens(), line.cacheWriteTokens()));
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
                String t = Json.text(c, "text");
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
