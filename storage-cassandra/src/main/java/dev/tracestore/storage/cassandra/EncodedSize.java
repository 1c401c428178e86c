package dev.tracestore.storage.cassandra;

import dev.tracestore.Message;

/**
 * About how many bytes a message adds to a mutation: the UTF-8 length of every string it
 * stores, counted without encoding it, plus a fixed allowance for the rest. The storage checks
 * a batch's sum against {@code maxBatchBytes} before sending it, so that a batch Cassandra would
 * refuse as too large fails first, with nothing written.
 */
final class EncodedSize {
    /**
     * Bytes a message's two rows take besides its strings: keys, sequence, instant, usage (four
     * counts in a tuple), tool calls, row and cell headers.
     */
    static final int MESSAGE_OVERHEAD = 144;

    private EncodedSize() {
    }

    /** About how many bytes the message's two rows add to a mutation (its external id is in both). */
    static long of(Message m) {
        return MESSAGE_OVERHEAD + 2L * utf8Length(m.externalId()) + utf8Length(m.role().name()) + utf8Length(m.text())
                + utf8Length(m.model()) + utf8Length(m.partsJson());
    }

    /** The length of {@code s} in UTF-8; 0 for null. */
    static long utf8Length(String s) {
        if (s == null) {
            return 0;
        }
        long n = s.length();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                // 2 bytes up to U+07FF, 3 for the rest of the BMP; a surrogate pair (2 chars) is 4 bytes.
                n += c < 0x800 ? 1 : Character.isSurrogate(c) ? 1 : 2;
            }
        }
        return n;
    }
}
