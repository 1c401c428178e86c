package dev.tracestore.examples.server;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;

/**
 * The example service: a Spring Boot application on {@code tracestore-spring-boot-starter}
 * (the {@code TraceStore} comes from the starter, on {@code spring.datasource.url}), serving
 * one namespace's share pages, their Open Graph images and a JSON API ({@link TraceController}).
 * Run it on its own with {@link #main}, or from the demo through {@link TraceServer}.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(TraceController.class)
public class TraceService {

    @org.springframework.context.annotation.Bean
    NoSniff noSniff() {
        return new NoSniff();
    }

    /** Runs the service: {@code --spring.datasource.url=jdbc:sqlite:…} {@code --tracestore.service.namespace=…}. */
    public static void main(String[] args) {
        SpringApplication.run(TraceService.class, args);
    }
}
