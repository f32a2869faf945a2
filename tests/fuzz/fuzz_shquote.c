/* fuzz_shquote.c - sh_quote (util/shquote.h) must turn any bytes into
 * exactly one shell word that reads back as the same bytes.
 *
 * The check is a tiny POSIX word splitter of its own (plus bash's $'...'),
 * written from the shell grammar rather than from sh_quote, so the two
 * disagree when either is wrong: it splits the quoted text into words,
 * decoding '...', $'...' and backslashes, and fails on anything a shell
 * would treat as an operator, an expansion or an unterminated quote.
 * Invariants: one word, equal to the input; no raw control character and
 * no '!' outside '...' in the quoted text (a pasted line must not end
 * early or trigger history expansion); a NUL in the input is refused. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/shquote.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Bytes no shell gives a meaning to inside a word (POSIX 2.2: operators,
 * quotes, expansions, globs, blanks and '~' '#' are all outside it). */
static bool inert(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("_@%+=:,./-", c));
}

/* $'...' body from q[*i] (after the opening quote) to the closing quote. */
static void ansi_c(const char *q, size_t n, size_t *i, buf *w)
{
    while (*i < n && q[*i] != '\'') {
        char c = q[(*i)++];
        if (c == '!' || (unsigned char)c < 0x20) abort();
        if (c != '\\') {
            buf_putc(w, c);
            continue;
        }
        if (*i >= n) abort();
        c = q[(*i)++];
        switch (c) {
        case 'n':
            buf_putc(w, '\n');
            break;
        case 't':
            buf_putc(w, '\t');
            break;
        case 'r':
            buf_putc(w, '\r');
            break;
        case '\\':
        case '\'':
            buf_putc(w, c);
            break;
        case 'x': {
            int v = 0, d = 0;
            while (d < 2 && *i < n && hexval(q[*i]) >= 0)
                v = v * 16 + hexval(q[(*i)++]), d++;
            if (!d) abort();
            buf_putc(w, (char)v);
            break;
        }
        default:
            if (c < '0' || c > '7') abort(); /* sh_quote writes no other escape */
            int v = c - '0', d = 1;
            while (d < 3 && *i < n && q[*i] >= '0' && q[*i] <= '7')
                v = v * 8 + (q[(*i)++] - '0'), d++;
            buf_putc(w, (char)v);
        }
    }
    if (*i >= n) abort(); /* unterminated */
    (*i)++;
}

/* Splits q into words; returns their number, the first in *first. */
static int split(const char *q, size_t n, buf *first)
{
    int words = 0;
    bool in_word = false;
    buf w = BUF_INIT;
    for (size_t i = 0; i < n;) {
        char c = q[i];
        if (c == ' ' || c == '\t') {
            if (in_word && words++ == 0) buf_append(first, w.data, w.len);
            in_word = false;
            buf_reset(&w);
            i++;
            continue;
        }
        in_word = true;
        if (c == '\'') {
            const char *end = memchr(q + i + 1, '\'', n - i - 1);
            if (!end) abort();
            for (const char *p = q + i + 1; p < end; p++)
                if ((unsigned char)*p < 0x20 || *p == 0x7f) abort();
            buf_append(&w, q + i + 1, (size_t)(end - q) - i - 1);
            i = (size_t)(end - q) + 1;
        } else if (c == '$' && i + 1 < n && q[i + 1] == '\'') {
            i += 2;
            ansi_c(q, n, &i, &w);
        } else if (c == '\\') {
            if (i + 1 >= n) abort();
            buf_putc(&w, q[i + 1]);
            i += 2;
        } else if (inert(c) && !(c == '=' && w.len == 0)) { /* zsh: =cmd */
            buf_putc(&w, c);
            i++;
        } else {
            abort(); /* an operator, expansion, glob or control byte, unquoted */
        }
    }
    if (in_word && words++ == 0) buf_append(first, w.data, w.len);
    buf_free(&w);
    return words;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    buf q = BUF_INIT, back = BUF_INIT;
    if (sh_quote(&q, s, size) != 0) {
        if (!memchr(s, '\0', size) || q.len) abort();
        buf_free(&q);
        return 0;
    }
    if (split(q.data, q.len, &back) != 1) abort();
    if (back.len != size || (size && memcmp(back.data, s, size) != 0)) abort();
    buf_free(&q);
    buf_free(&back);
    return 0;
}
