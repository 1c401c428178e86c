package dev.tracestore.cassandra.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerClasspathTest {
    @TempDir
    Path dir;

    @Test
    void locate_findsTheFileTheBuildWrote_withCassandraAndJamm() {
        ServerClasspath classpath = ServerClasspath.locate();

        assertThat(classpath.entries()).anyMatch(p -> p.getFileName().toString().equals("cassandra-all-5.0.9.jar"));
        assertThat(classpath.jammAgent().getFileName().toString()).startsWith("jamm-");
    }

    @Test
    void load_missingFile_saysHowToBuildIt() {
        Path missing = dir.resolve("cassandra.classpath");

        assertThatThrownBy(() -> ServerClasspath.load(missing, "a test"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Cassandra's classpath file " + missing + " (from a test) does not exist.")
                .hasMessageContaining("mvn -pl cassandra-node -am test-compile")
                .hasMessageContaining("-Dtracestore.cassandra.classpath=<file>");
    }

    @Test
    void load_jarsThatAreGone_nameOne() throws IOException {
        Path jar = Files.createFile(dir.resolve("cassandra-all-5.0.9.jar"));
        Path gone = dir.resolve("repository/guava-32.0.1-jre.jar");
        Path file = Files.writeString(dir.resolve("cassandra.classpath"), jar + File.pathSeparator + gone + "\n");

        assertThatThrownBy(() -> ServerClasspath.load(file, "a test"))
                .hasMessageContaining("lists 1 of 2 jars that do not exist, such as " + gone)
                .hasMessageContaining("was the local Maven repository moved or cleaned?");
    }

    @Test
    void load_withoutCassandra_refuses() throws IOException {
        Path jar = Files.createFile(dir.resolve("guava-32.0.1-jre.jar"));
        Path file = Files.writeString(dir.resolve("cassandra.classpath"), jar.toString());

        assertThatThrownBy(() -> ServerClasspath.load(file, "a test")).hasMessageContaining("does not list a cassandra-all jar");
    }
}
