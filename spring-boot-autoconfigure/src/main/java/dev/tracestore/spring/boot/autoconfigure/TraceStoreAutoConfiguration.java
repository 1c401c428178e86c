package dev.tracestore.spring.boot.autoconfigure;

import dev.tracestore.CountReconciler;
import dev.tracestore.TraceStore;
import dev.tracestore.TraceStoreListener;
import dev.tracestore.spi.TraceStorage;
import dev.tracestore.storage.jdbc.JdbcTraceStorage;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;

/**
 * A {@link TraceStore} on the application's {@link DataSource}: a {@link JdbcTraceStorage}
 * (dialect detected, tables created or updated at start-up unless {@code tracestore.migrate}
 * is false), and the store with the drift guard running, stopped with the context. Backs off
 * when the application defines its own {@link TraceStorage} or {@link TraceStore}; a
 * {@link TraceStoreListener} bean (the metrics, when Micrometer is there) is attached. With
 * Flyway, the storage is made after Flyway has migrated.
 */
@AutoConfiguration(after = DataSourceAutoConfiguration.class,
        afterName = "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration")
@ConditionalOnClass({TraceStore.class, JdbcTraceStorage.class})
@EnableConfigurationProperties(TraceStoreProperties.class)
public final class TraceStoreAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(TraceStorage.class)
    @ConditionalOnSingleCandidate(DataSource.class)
    @DependsOnDatabaseInitialization
    JdbcTraceStorage traceStorage(DataSource dataSource, TraceStoreProperties properties) {
        JdbcTraceStorage.Builder builder = JdbcTraceStorage.builder(dataSource).tablePrefix(properties.tablePrefix());
        if (properties.dialect() != null) {
            builder.dialect(properties.dialect().dialect());
        }
        JdbcTraceStorage storage = builder.build();
        if (properties.migrate()) {
            storage.migrate();
        }
        return storage;
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    @ConditionalOnBean(TraceStorage.class)
    TraceStore traceStore(TraceStorage storage, TraceStoreProperties properties,
            ObjectProvider<TraceStoreListener> listener) {
        TraceStore.Builder builder = TraceStore.builder().storage(storage).maxBatchSize(properties.maxBatchSize())
                .maxTextLength(properties.maxTextLength()).maxIdLength(properties.maxIdLength())
                .deletionChunkSize(properties.deletionChunkSize());
        listener.ifUnique(builder::listener);
        if (properties.cursorSecretBytes() != null) {
            builder.cursorSecret(properties.cursorSecretBytes());
        }
        TraceStoreProperties.Reconciler r = properties.reconciler();
        if (r.enabled()) {
            builder.reconcileCounts(CountReconciler.Settings.every(r.interval()).batchSize(r.batchSize()));
        }
        return builder.build();
    }
}
