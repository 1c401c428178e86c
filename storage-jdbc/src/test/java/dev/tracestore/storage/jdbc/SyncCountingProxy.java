package dev.tracestore.storage.jdbc;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on 127.0.0.1 in front of a PostgreSQL server that reads the client's side of the
 * wire protocol message by message and counts its Sync messages. A client of the extended
 * query protocol (PgJDBC by default) ends every group of messages it sends with one Sync and
 * then waits for the server's ReadyForQuery, so the count of Syncs is the count of round trips
 * the client waited for. The client must not use SSL or GSS encryption ({@code sslmode=disable},
 * {@code gssEncMode=disable}): the proxy reads plain messages.
 */
final class SyncCountingProxy implements AutoCloseable {
    /** The request codes of the untyped messages that may come before the startup message. */
    private static final int SSL_REQUEST = 80877103;
    private static final int GSS_REQUEST = 80877104;

    private final ServerSocket server;
    private final String upstreamHost;
    private final int upstreamPort;
    private final AtomicLong syncs = new AtomicLong();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    SyncCountingProxy(String upstreamHost, int upstreamPort) throws IOException {
        this.upstreamHost = upstreamHost;
        this.upstreamPort = upstreamPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "sync-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The port clients connect to, on 127.0.0.1. */
    int port() {
        return server.getLocalPort();
    }

    /** Sync messages sent by every client so far. */
    long syncs() {
        return syncs.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                sockets.add(client);
                Socket upstream = new Socket();
                sockets.add(upstream);
                try {
                    upstream.connect(new InetSocketAddress(upstreamHost, upstreamPort), 10_000);
                } catch (IOException e) {
                    close(client, upstream); // the client sees the connection end at once
                    continue;
                }
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                start("sync-proxy-client", client, upstream, () -> clientToServer(client.getInputStream(), upstream.getOutputStream()));
                start("sync-proxy-server", client, upstream, () -> copy(upstream.getInputStream(), client.getOutputStream()));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    /** Forwards the client's messages one by one, counting Syncs ({@code 'S'}, length 4). */
    private void clientToServer(InputStream from, OutputStream to) throws IOException {
        DataInputStream in = new DataInputStream(from);
        DataOutputStream out = new DataOutputStream(to);
        // Untyped messages first: an optional encryption request (answered by the server with
        // one byte), then the startup message.
        while (true) {
            int length = in.readInt();
            byte[] body = in.readNBytes(length - 4);
            if (body.length != length - 4) {
                throw new EOFException("client closed in the middle of its startup");
            }
            out.writeInt(length);
            out.write(body);
            out.flush();
            int code = body.length >= 4 ? ByteBuffer.wrap(body).getInt() : 0;
            if (code != SSL_REQUEST && code != GSS_REQUEST) {
                break;
            }
        }
        while (true) {
            int type = in.read();
            if (type < 0) {
                return;
            }
            int length = in.readInt();
            byte[] body = in.readNBytes(length - 4);
            if (body.length != length - 4) {
                throw new EOFException("client closed in the middle of a message");
            }
            if (type == 'S') {
                syncs.incrementAndGet();
            }
            out.write(type);
            out.writeInt(length);
            out.write(body);
            out.flush();
        }
    }

    private static void copy(InputStream from, OutputStream to) throws IOException {
        byte[] buffer = new byte[16_384];
        for (int n; (n = from.read(buffer)) >= 0; ) {
            to.write(buffer, 0, n);
            to.flush();
        }
    }

    private interface Pump {
        void run() throws IOException;
    }

    /** Runs one direction of a connection; when it ends, for either side's reason, the connection ends. */
    private static void start(String name, Socket client, Socket upstream, Pump pump) {
        Thread t = new Thread(() -> {
            try {
                pump.run();
            } catch (IOException e) {
                // a side closed: end this direction
            } finally {
                close(client, upstream);
            }
        }, name);
        t.setDaemon(true);
        t.start();
    }

    private static void close(Socket... toClose) {
        for (Socket s : toClose) {
            try {
                s.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        close(sockets.toArray(new Socket[0]));
    }
}
