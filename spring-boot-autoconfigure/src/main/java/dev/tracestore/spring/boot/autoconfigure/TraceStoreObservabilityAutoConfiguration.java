package dev.tracestore.spring.boot.autoconfigure;

import dev.tracestore.TraceStore;
import dev.tracestore.TraceStoreListener;
import dev.tracestore.micrometer.TraceStoreMetrics;
import dev.tracestore.spi.TraceStorage;
import dev.tracestore.storage.jdbc.JdbcTraceStorage;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What a service watches: {@code tracestore.*} meters in the application's
 * {@link MeterRegistry} (tagged with the storage kind and, for JDBC, the dialect), and a
 * {@code traceStore} health indicator. Each only when the application has Micrometer, or Spring
 * Boot's health support, on its class path.
 */
@AutoConfiguration(after = TraceStoreAutoConfiguration.class,
        afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration")
public final class TraceStoreObservabilityAutoConfiguration {

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({MeterRegistry.class, TraceStoreMetrics.class})
    static final class Metrics {
        @Bean
        @ConditionalOnMissingBean(TraceStoreListener.class)
        @ConditionalOnBean({MeterRegistry.class, TraceStorage.class})
        TraceStoreMetrics traceStoreMetrics(MeterRegistry registry, TraceStorage storage) {
            Tags tags = storage instanceof JdbcTraceStorage jdbc
                    ? Tags.of("storage", "jdbc", "dialect", jdbc.dialect().name())
                    : Tags.of("storage", storage.getClass().getSimpleName().replace("TraceStorage", "").toLowerCase(java.util.Locale.ROOT));
            return TraceStoreMetrics.of(registry, tags);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    static final class HealthCheck {
        @Bean
        @ConditionalOnMissingBean(name = "traceStoreHealthIndicator")
        @ConditionalOnBean(TraceStore.class)
        TraceStoreHealthIndicator traceStoreHealthIndicator(TraceStore store) {
            return new TraceStoreHealthIndicator(store);
        }
    }
}
