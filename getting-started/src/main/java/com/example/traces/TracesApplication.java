package com.example.traces;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class TracesApplication {
    public static void main(String[] args) {
        SpringApplication.run(TracesApplication.class, args);
    }
}
