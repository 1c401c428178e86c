package dev.tracestore.micrometer;

import dev.tracestore.BackfillResult;
import dev.tracestore.CountReconciler;
import dev.tracestore.TokenUsage;
import dev.tracestore.TraceStoreListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A {@link TraceStoreListener} that records what a store does in a Micrometer
 * {@link MeterRegistry}; give it to {@link dev.tracestore.TraceStore.Builder#listener}:
 *
 * <pre>{@code
 * TraceStore store = TraceStore.builder().storage(storage)
 *         .listener(TraceStoreMetrics.of(registry, Tags.of("storage", "jdbc", "dialect", "postgresql")))
 *         .build();
 * }</pre>
 *
 * <p>The meters, each with the common tags given (say, the storage kind and dialect) and the
 * low-cardinality tags named here; never a trace id or a namespace:
 * <ul>
 * <li>{@code tracestore.writes} (timer): message writes, by {@code operation} ({@code message},
 *     {@code batch}, {@code append}) and {@code outcome} ({@code success}, {@code cursor_conflict},
 *     {@code not_found}, {@code invalid}, {@code failure});
 * <li>{@code tracestore.messages.written} (counter): messages stored, by {@code operation};
 * <li>{@code tracestore.tokens.written} (counter): their tokens, by {@code kind} ({@code input},
 *     {@code output}, {@code cache_read}, {@code cache_write});
 * <li>{@code tracestore.recounts} (timer): recounts, by {@code kind} ({@code recount},
 *     {@code truncation}) and {@code outcome};
 * <li>{@code tracestore.recount.drift} (distribution summary): the size of each correction a
 *     recount made to a count, in messages (a recount that found the count exact records nothing);
 * <li>{@code tracestore.deletions} (timer) by {@code outcome}, and {@code tracestore.messages.deleted} (counter);
 * <li>{@code tracestore.reconciler.passes} (timer), {@code tracestore.reconciler.traces} (counter,
 *     by {@code result}: {@code checked}, {@code fixed});
 * <li>{@code tracestore.backfills} (timer), {@code tracestore.backfill.traces} (counter): traces filled.
 * </ul>
 * Every meter is registered when this is made, so a dashboard sees zeros rather than gaps, and
 * recording costs no lookup.
 */
public final class TraceStoreMetrics implements TraceStoreListener {
    /** By operation, then outcome, as ordinals: the batch path looks up no map. */
    private final Timer[][] writes = new Timer[Operation.values().length][Outcome.values().length];
    private final Counter[] messagesWritten = new Counter[Operation.values().length];
    private final Counter inputTokens;
    private final Counter outputTokens;
    private final Counter cacheReadTokens;
    private final Counter cacheWriteTokens;
    private final Map<Outcome, Timer> recounts = new EnumMap<>(Outcome.class);
    private final Map<Outcome, Timer> truncations = new EnumMap<>(Outcome.class);
    private final DistributionSummary drift;
    private final Map<Outcome, Timer> deletions = new EnumMap<>(Outcome.class);
    private final Counter messagesDeleted;
    private final Timer reconcilerPasses;
    private final Counter tracesChecked;
    private final Counter tracesFixed;
    private final Timer backfills;
    private final Counter tracesBackfilled;

    private TraceStoreMetrics(MeterRegistry registry, Iterable<Tag> tags) {
        for (Operation operation : Operation.values()) {
            for (Outcome outcome : Outcome.values()) {
                writes[operation.ordinal()][outcome.ordinal()] = Timer.builder("tracestore.writes")
                        .description("Message writes to a trace").tags(tags).tag("operation", name(operation))
                        .tag("outcome", name(outcome)).register(registry);
            }
            messagesWritten[operation.ordinal()] = Counter.builder("tracestore.messages.written").baseUnit("messages")
                    .description("Messages stored (distinct ids: what the counts grew by)")
                    .tags(tags).tag("operation", name(operation)).register(registry);
        }
        inputTokens = tokens(registry, tags, "input");
        outputTokens = tokens(registry, tags, "output");
        cacheReadTokens = tokens(registry, tags, "cache_read");
        cacheWriteTokens = tokens(registry, tags, "cache_write");
        for (Outcome outcome : Outcome.values()) {
            recounts.put(outcome, Timer.builder("tracestore.recounts").description("Recounts of a trace's messages")
                    .tags(tags).tag("kind", "recount").tag("outcome", name(outcome)).register(registry));
            truncations.put(outcome, Timer.builder("tracestore.recounts").description("Recounts of a trace's messages")
                    .tags(tags).tag("kind", "truncation").tag("outcome", name(outcome)).register(registry));
            deletions.put(outcome, Timer.builder("tracestore.deletions").description("Trace deletions")
                    .tags(tags).tag("outcome", name(outcome)).register(registry));
        }
        drift = DistributionSummary.builder("tracestore.recount.drift").baseUnit("messages")
                .description("How far a recount moved a cached count").tags(tags).register(registry);
        messagesDeleted = Counter.builder("tracestore.messages.deleted").baseUnit("messages")
                .description("Messages removed by trace deletions").tags(tags).register(registry);
        reconcilerPasses = Timer.builder("tracestore.reconciler.passes").description("Drift guard passes that recounted")
                .tags(tags).register(registry);
        tracesChecked = Counter.builder("tracestore.reconciler.traces").description("Traces the drift guard recounted")
                .tags(tags).tag("result", "checked").register(registry);
        tracesFixed = Counter.builder("tracestore.reconciler.traces").description("Traces the drift guard recounted")
                .tags(tags).tag("result", "fixed").register(registry);
        backfills = Timer.builder("tracestore.backfills").description("Backfills of unknown counts")
                .tags(tags).register(registry);
        tracesBackfilled = Counter.builder("tracestore.backfill.traces").description("Traces whose unknown count was filled")
                .tags(tags).register(registry);
    }

    /**
     * Metrics in {@code registry}, every meter with {@code tags}.
     *
     * @param tags low-cardinality tags for every meter, such as the storage kind and dialect
     */
    public static TraceStoreMetrics of(MeterRegistry registry, Iterable<Tag> tags) {
        return new TraceStoreMetrics(Objects.requireNonNull(registry, "registry"), Objects.requireNonNull(tags, "tags"));
    }

    /** Metrics in {@code registry}, with no common tag. */
    public static TraceStoreMetrics of(MeterRegistry registry) {
        return of(registry, Tags.empty());
    }

    @Override
    public void written(Write write) {
        writes[write.operation().ordinal()][write.outcome().ordinal()].record(write.nanos(), TimeUnit.NANOSECONDS);
        if (write.messages() > 0) {
            messagesWritten[write.operation().ordinal()].increment(write.messages());
        }
        TokenUsage u = write.usage();
        if (u != null) {
            add(inputTokens, u.inputTokens());
            add(outputTokens, u.outputTokens());
            add(cacheReadTokens, u.cacheReadTokens());
            add(cacheWriteTokens, u.cacheWriteTokens());
        }
    }

    @Override
    public void recounted(Recounted recount) {
        (recount.truncation() ? truncations : recounts).get(recount.outcome()).record(recount.nanos(), TimeUnit.NANOSECONDS);
        if (!recount.truncation() && recount.drift() != 0) {
            drift.record(Math.abs(recount.drift()));
        }
    }

    @Override
    public void deleted(Deleted deletion) {
        deletions.get(deletion.outcome()).record(deletion.nanos(), TimeUnit.NANOSECONDS);
        messagesDeleted.increment(deletion.messages());
    }

    @Override
    public void reconciled(CountReconciler.Report pass, long nanos) {
        reconcilerPasses.record(nanos, TimeUnit.NANOSECONDS);
        tracesChecked.increment(pass.tracesChecked());
        tracesFixed.increment(pass.tracesFixed());
    }

    @Override
    public void backfilled(BackfillResult result, long nanos) {
        backfills.record(nanos, TimeUnit.NANOSECONDS);
        tracesBackfilled.increment(result.tracesFixed());
    }

    private static void add(Counter counter, long amount) {
        if (amount > 0) {
            counter.increment(amount);
        }
    }

    private static Counter tokens(MeterRegistry registry, Iterable<Tag> tags, String kind) {
        return Counter.builder("tracestore.tokens.written").baseUnit("tokens").description("Tokens of the messages stored")
                .tags(tags).tag("kind", kind).register(registry);
    }

    private static String name(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
