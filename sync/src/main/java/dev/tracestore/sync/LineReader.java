package dev.tracestore.sync;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Reads a file's lines from a byte offset, one at a time, with where each starts and ends, in
 * memory bounded by the longest line it keeps: a line longer than {@code maxLineBytes} is
 * skipped as it streams by, and reported by {@link Line#tooLong()}. A last line without a
 * newline is not returned (it may still be being written); {@link #end()} says where it
 * starts.
 */
final class LineReader implements Closeable {
    /** One line, without its {@code \n} (nor a {@code \r} before it). */
    record Line(long number, long start, long end, byte[] bytes, boolean tooLong) {
    }

    private final FileChannel channel;
    private final int maxLineBytes;
    private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
    private byte[] line = new byte[1024];
    private long position;
    private long lineNumber;
    private boolean eof;

    /**
     * @param offset     where to start: the start of a line
     * @param lineNumber the number of the line that starts there
     */
    LineReader(Path file, long offset, long lineNumber, int maxLineBytes) throws IOException {
        this.channel = FileChannel.open(file, StandardOpenOption.READ);
        this.channel.position(offset);
        this.position = offset;
        this.lineNumber = lineNumber;
        this.maxLineBytes = maxLineBytes;
        this.buffer.limit(0);
    }

    /** The next complete line, or null at the end of the complete lines. */
    Line next() throws IOException {
        long start = position;
        long scanned = start;
        int length = 0;
        boolean tooLong = false;
        while (true) {
            if (!buffer.hasRemaining() && (eof || !fill())) {
                channel.position(start); // an unterminated last line: read again next time
                buffer.limit(0);
                position = start;
                return null;
            }
            byte[] bytes = buffer.array();
            int from = buffer.position();
            int limit = buffer.limit();
            int newline = from;
            while (newline < limit && bytes[newline] != '\n') {
                newline++;
            }
            int chunk = newline - from;
            if (!tooLong && length + chunk > maxLineBytes) {
                tooLong = true; // skipped as it streams by
            } else if (!tooLong) {
                if (length + chunk > line.length) {
                    line = Arrays.copyOf(line, Math.min(maxLineBytes, Math.max(line.length * 2, length + chunk)));
                }
                System.arraycopy(bytes, from, line, length, chunk);
                length += chunk;
            }
            scanned += chunk;
            if (newline < limit) {
                buffer.position(newline + 1);
                position = scanned + 1;
                int n = length > 0 && line[length - 1] == '\r' && !tooLong ? length - 1 : length;
                return new Line(lineNumber++, start, position, tooLong ? new byte[0] : Arrays.copyOf(line, n), tooLong);
            }
            buffer.position(limit);
        }
    }

    /** Where the complete lines read so far end: the start of the next line. */
    long end() {
        return position;
    }

    /** The number of the line that starts at {@link #end()}. */
    long nextLineNumber() {
        return lineNumber;
    }

    private boolean fill() throws IOException {
        buffer.clear();
        int n = channel.read(buffer);
        buffer.flip();
        if (n <= 0) {
            eof = true;
            return false;
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
