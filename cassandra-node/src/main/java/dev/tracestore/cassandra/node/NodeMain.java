package dev.tracestore.cassandra.node;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * The main class of a node's child JVM; not API. It runs Cassandra's own main class, and adds
 * two things around it:
 *
 * <ul>
 *   <li>it exits when the parent JVM is gone: the parent holds the write end of this JVM's
 *       standard input and never writes, so end-of-input means the parent exited or was killed
 *       (or stopped this node), and no Cassandra outlives the test run that started it;
 *   <li>every 200 ms it writes the node's gossip view (StorageService's {@code LiveNodes},
 *       {@code UnreachableNodes}, {@code OperationMode}, the same MBean that {@code nodetool}
 *       reads) to the status file named by its argument, so that the parent can wait until the
 *       nodes of a cluster see each other without a JMX port per node.
 * </ul>
 *
 * <p>Arguments: Cassandra's main class ({@code org.apache.cassandra.service.CassandraDaemon}, on the
 * command line so that {@code pgrep -f CassandraDaemon} finds these JVMs as it finds any
 * Cassandra), then the status file. This class runs inside the child only, with Cassandra's
 * classpath; it uses the JDK alone.
 */
final class NodeMain {
    static final String CASSANDRA_MAIN = "org.apache.cassandra.service.CassandraDaemon";
    private static final String STORAGE_SERVICE = "org.apache.cassandra.db:type=StorageService";

    private NodeMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: NodeMain " + CASSANDRA_MAIN + " <status file>");
        }
        Path status = Path.of(args[1]);
        daemon("tracestore-parent-watch", NodeMain::exitWhenParentIsGone).start();
        try {
            // Returns once the node is up and serving; fails or exits (status 3) otherwise.
            Class.forName(args[0]).getMethod("main", String[].class).invoke(null, (Object) new String[0]);
        } catch (InvocationTargetException e) {
            System.err.println("Cassandra failed to start");
            e.getCause().printStackTrace();
            System.exit(3);
        }
        daemon("tracestore-status", () -> reportStatus(status)).start();
    }

    private static void exitWhenParentIsGone() {
        try (InputStream in = System.in) {
            byte[] buffer = new byte[64];
            while (in.read(buffer) >= 0) {
                // The parent never writes: nothing to do but wait for the end of input.
            }
        } catch (IOException e) {
            // A broken pipe means the same as the end of input.
        }
        // Also after a stop: Process.destroy() closes the pipe right after sending SIGTERM, and this
        // exit then waits for the shutdown that the signal started.
        System.err.println("tracestore-cassandra-node: standard input closed (the parent JVM stopped this node, or is gone)");
        System.exit(1);
    }

    private static void reportStatus(Path status) {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Path tmp = status.resolveSibling(status.getFileName() + ".tmp");
        long pid = ProcessHandle.current().pid();
        while (true) {
            try {
                ObjectName storage = new ObjectName(STORAGE_SERVICE);
                String text = "pid=" + pid + "\n"
                        + "mode=" + server.getAttribute(storage, "OperationMode") + "\n"
                        + "live=" + join(server.getAttribute(storage, "LiveNodes")) + "\n"
                        + "unreachable=" + join(server.getAttribute(storage, "UnreachableNodes")) + "\n";
                Files.writeString(tmp, text, StandardCharsets.UTF_8);
                Files.move(tmp, status, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            } catch (JMException e) {
                throw new IllegalStateException("cannot read " + STORAGE_SERVICE, e);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + status, e);
            }
        }
    }

    private static String join(Object addresses) {
        return String.join(",", ((List<?>) addresses).stream().map(String::valueOf).toList());
    }

    private static Thread daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }
}
