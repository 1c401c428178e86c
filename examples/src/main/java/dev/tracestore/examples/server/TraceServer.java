package dev.tracestore.examples.server;

import dev.tracestore.TraceStore;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import org.springframework.boot.Banner;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;

/**
 * The example service ({@link TraceService}) started on a store the caller already has, as the
 * demo does: the store is the application's {@code TraceStore} bean, so the starter's own backs
 * off. Close it to stop.
 */
public final class TraceServer implements AutoCloseable {
    private final ConfigurableApplicationContext context;
    private final TraceController controller;

    private TraceServer(ConfigurableApplicationContext context) {
        this.context = context;
        this.controller = context.getBean(TraceController.class);
    }

    /** Starts the service for {@code namespace} on {@code address} (port 0 picks a free port). */
    public static TraceServer start(TraceStore store, String namespace, InetSocketAddress address) {
        return start(store, namespace, address, Map.of());
    }

    /** As {@link #start(TraceStore, String, InetSocketAddress)}, with Spring Boot properties of the caller's (a test's timeouts). */
    static TraceServer start(TraceStore store, String namespace, InetSocketAddress address, Map<String, String> properties) {
        Map<String, String> all = new java.util.LinkedHashMap<>(properties);
        all.put("server.port", Integer.toString(address.getPort()));
        all.put("server.address", address.getHostString());
        all.put("tracestore.service.namespace", namespace);
        // The store is given: no DataSource to make, none to guess from the class path.
        all.put("spring.autoconfigure.exclude", "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration");
        // As command-line arguments: they win over application.properties, as a deployment's would.
        String[] args = all.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
        ConfigurableApplicationContext context = new SpringApplicationBuilder(TraceService.class)
                .bannerMode(Banner.Mode.OFF).logStartupInfo(false)
                .initializers(c -> ((GenericApplicationContext) c).registerBean("traceStore", TraceStore.class, () -> store,
                        bean -> bean.setDestroyMethodName(null))) // the caller's store: the caller closes it
                .run(args);
        return new TraceServer(context);
    }

    /** Where the service answers, such as {@code http://localhost:8080/}. */
    public URI baseUri() {
        return URI.create(controller.share().baseUrl() + "/");
    }

    /**
     * The URL of a public or unlisted trace's page, at its share token (made the first time).
     *
     * @throws IllegalStateException if the trace is private
     */
    public String traceUrl(long traceId) {
        return controller.pageUrl(traceId);
    }

    /** How many Open Graph images the service rendered since it started. */
    long rendersDone() {
        return controller.rendersDone();
    }

    /** The port the service listens on. */
    public int port() {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    @Override
    public void close() {
        context.close();
    }
}
