/* template.c - {{ JMESPath }} templates; see template.h.
 *
 * A compiled template is a flat list of parts, each a literal run or a
 * compiled expression with its quoting decided at compile time, so
 * rendering is one pass with no parsing and no decision left to make.
 *
 * Compiling has two passes.  The first cuts the text into literals and
 * holes; a hole ends at the first "}}" outside JMESPath string literals
 * and braces, so `{{ {a: b} }}` (a multiselect hash) works.  The second
 * decides where each hole sits.  It reads a "shadow" of the text in which
 * every hole is one HOLE byte, as Markdown first (fenced blocks and inline
 * code spans) and then, inside shell contexts, as shell (quotes, $( ),
 * comments, here-documents).  Only literal text shapes the structure: a
 * shell value is one quoted word with no raw newline, and a prose value
 * has its control characters turned into spaces, so no value can open a
 * code block or close a quote that the analysis did not see.
 *
 * The analysis errs on the side of quoting: an over-detected shell context
 * only costs a pair of quotes in prose, while a missed one would let a
 * value run.  That is why fences are recognised at any indentation and
 * why a '#' starts a comment only where it certainly starts a word.
 */
#include "format/template.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "jmespath/jmespath.h"
#include "util/shquote.h"

typedef struct part {
    const char *lit; /* literal text, or NULL for an expression */
    size_t len;      /* literal length, or the source length of the expression */
    const char *src; /* the expression's text (for messages) */
    jp_node *expr;
    size_t off; /* holes: offset of the "{{" in the template text */
    tmpl_quoting q;
} part;

struct tmpl {
    part *parts;
    size_t n, holes;
};

static void add_part(arena *a, tmpl *t, size_t *cap, part p)
{
    if (t->n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 8;
        t->parts = arena_realloc(a, t->parts, *cap * sizeof *t->parts, ncap * sizeof *t->parts);
        *cap = ncap;
    }
    t->parts[t->n++] = p;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* ---- pass 1: literals and holes ---- */

/* The index of the "}}" closing the hole whose expression starts at i, or
 * len.  JMESPath string literals ('raw', `json`, "quoted") may hold braces;
 * braces of a multiselect hash nest. */
static size_t hole_end(const char *text, size_t i, size_t len)
{
    int depth = 0;
    while (i < len) {
        char c = text[i];
        if (c == '\'' || c == '`' || c == '"') {
            for (i++; i < len && text[i] != c; i++)
                if (text[i] == '\\') i++;
            i++;
            continue;
        }
        if (depth == 0 && c == '}' && i + 1 < len && text[i + 1] == '}') return i;
        if (c == '{') depth++;
        if (c == '}') depth--;
        i++;
    }
    return len;
}

/* {{raw: expr}} and {{words: expr}}: a marker word and a colon, which no
 * JMESPath expression starts with. */
static tmpl_quoting marker(const char *text, size_t *start, size_t end)
{
    static const struct {
        const char *word;
        tmpl_quoting q;
    } marks[] = {{"raw:", TMPL_RAW}, {"words:", TMPL_WORDS}};
    for (size_t k = 0; k < sizeof marks / sizeof marks[0]; k++) {
        size_t n = strlen(marks[k].word);
        if (end - *start >= n && !memcmp(text + *start, marks[k].word, n)) {
            *start += n;
            while (*start < end && is_space(text[*start]))
                (*start)++;
            return marks[k].q;
        }
    }
    return TMPL_PROSE;
}

static int cut_parts(arena *a, tmpl *t, const char *text, size_t len, tmpl_error *err)
{
    size_t cap = 0, i = 0;
    while (i < len) {
        const char *open = memmem(text + i, len - i, "{{", 2);
        size_t lit_end = open ? (size_t)(open - text) : len;
        if (lit_end > i) add_part(a, t, &cap, (part){.lit = text + i, .len = lit_end - i});
        if (!open) break;
        size_t start = lit_end + 2;
        size_t close = hole_end(text, start, len);
        if (close >= len) {
            err->offset = lit_end;
            snprintf(err->msg, sizeof err->msg, "'{{' without a closing '}}'");
            return -1;
        }
        size_t end = close;
        while (start < end && is_space(text[start]))
            start++;
        tmpl_quoting q = marker(text, &start, end);
        while (end > start && is_space(text[end - 1]))
            end--;
        if (start == end) {
            err->offset = lit_end;
            snprintf(err->msg, sizeof err->msg, "empty placeholder '%.*s'",
                     (int)(close + 2 - lit_end), text + lit_end);
            return -1;
        }
        jp_error je;
        jp_node *e = jp_compile(a, text + start, end - start, &je);
        if (!e) {
            err->offset = start + je.pos;
            snprintf(err->msg, sizeof err->msg, "placeholder '{{ %.*s }}': %s", (int)(end - start),
                     text + start, je.msg);
            return -1;
        }
        add_part(
            a, t, &cap,
            (part){.len = end - start, .src = text + start, .expr = e, .off = lit_end, .q = q});
        t->holes++;
        i = close + 2;
    }
    return 0;
}

/* ---- pass 2: where each hole sits ---- */

#define HOLE '\x01'
#define SH_MAX_DEPTH 32
/* Why a hole is refused: the value would be quoted twice or not at all. */
#define OUTSIDE ": custos quotes values for the shell itself, write the placeholder outside it"

typedef struct ana {
    const char *s; /* the shadow: literals, one HOLE byte per hole */
    size_t n;
    size_t *hpos; /* shadow position of each hole, ascending */
    part **hole;  /* the part of each hole */
    bool *in_shell;
    size_t nh;
    const char *why; /* first rejection, or NULL */
    size_t why_hole;
} ana;

static size_t hole_at(const ana *A, size_t pos)
{
    size_t lo = 0, hi = A->nh;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (A->hpos[mid] < pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void set_shell(ana *A, size_t pos)
{
    size_t k = hole_at(A, pos);
    A->in_shell[k] = true;
    if (A->hole[k]->q == TMPL_PROSE) A->hole[k]->q = TMPL_SHELL;
}

/* Every hole in shadow [lo, hi) that is not {{raw: }} is an error. */
static void reject_range(ana *A, size_t lo, size_t hi, const char *why)
{
    for (size_t k = hole_at(A, lo); k < A->nh && A->hpos[k] < hi; k++) {
        if (A->hole[k]->q == TMPL_RAW || A->why) continue;
        A->why = why;
        A->why_hole = k;
    }
}

static size_t line_end(const char *s, size_t i, size_t n)
{
    const char *nl = memchr(s + i, '\n', n - i);
    return nl ? (size_t)(nl - s) : n;
}

/* Shell: '...' or $'...' starting at i (the quote); returns the index
 * after the closing quote.  ANSI-C quotes honour backslash escapes. */
static size_t skip_single(ana *A, size_t i, size_t hi, bool ansi)
{
    size_t j = i + 1;
    while (j < hi && A->s[j] != '\'') {
        if (ansi && A->s[j] == '\\') j++;
        j++;
    }
    reject_range(A, i, j, "sits inside '...' in a shell command" OUTSIDE);
    return j < hi ? j + 1 : hi;
}

static size_t skip_backticks(ana *A, size_t i, size_t hi)
{
    size_t j = i + 1;
    while (j < hi && A->s[j] != '`') {
        if (A->s[j] == '\\') j++;
        j++;
    }
    reject_range(A, i, j, "sits inside `...` in a shell command (use $( ) instead)");
    return j < hi ? j + 1 : hi;
}

/* ${...}: quoting rules inside differ between contexts; no holes there. */
static size_t skip_braces(ana *A, size_t i, size_t hi)
{
    size_t j = i + 2;
    int depth = 1;
    for (; j < hi && depth > 0; j++) {
        if (A->s[j] == '{') depth++;
        if (A->s[j] == '}') depth--;
    }
    reject_range(A, i, j, "sits inside ${...} in a shell command" OUTSIDE);
    return j;
}

typedef struct heredoc {
    char delim[64];
    bool tabs;  /* <<- strips leading tabs */
    bool never; /* delimiter too long to compare: the body runs to the end */
} heredoc;

/* Reads the delimiter word after "<<" or "<<-" at j; returns the index
 * after it.  Quotes in the word only mean "no expansion in the body". */
static size_t heredoc_word(ana *A, size_t j, size_t hi, heredoc *h)
{
    size_t k = 0;
    while (j < hi && (A->s[j] == ' ' || A->s[j] == '\t'))
        j++;
    while (j < hi && !strchr(" \t\n;&|<>()", A->s[j])) {
        char c = A->s[j++];
        if (c == '\'' || c == '"') {
            while (j < hi && A->s[j] != c) {
                if (k + 1 < sizeof h->delim)
                    h->delim[k++] = A->s[j];
                else
                    h->never = true;
                j++;
            }
            j++;
            continue;
        }
        if (c == '\\' && j < hi) c = A->s[j++];
        if (c == HOLE) reject_range(A, j - 1, j, "is a here-document delimiter");
        if (k + 1 < sizeof h->delim)
            h->delim[k++] = c;
        else
            h->never = true;
    }
    h->delim[k] = '\0';
    return j;
}

/* The bodies of the pending here-documents, from i (a line start); no
 * hole may sit in one: the value would end it early or be taken literally
 * with its quotes.  Returns the index after the last body. */
static size_t heredoc_bodies(ana *A, size_t i, size_t hi, const heredoc *hd, int nhd)
{
    for (int k = 0; k < nhd && i < hi; k++) {
        while (i < hi) {
            size_t e = line_end(A->s, i, hi), b = i;
            if (hd[k].tabs)
                while (b < e && A->s[b] == '\t')
                    b++;
            size_t dl = strlen(hd[k].delim);
            bool end = !hd[k].never && e - b == dl && !memcmp(A->s + b, hd[k].delim, dl);
            if (!end)
                reject_range(A, i, e, "sits inside a here-document, where no quoting applies");
            i = e < hi ? e + 1 : hi;
            if (end) break;
        }
    }
    return i;
}

/* Shell text [lo, hi): marks each hole in a word or comment as TMPL_SHELL
 * and rejects the rest.  The stack holds 'N' (normal: top level, $( ) and
 * ( )) and 'D' (inside "..."). */
static void shell_scan(ana *A, size_t lo, size_t hi)
{
    const char *s = A->s;
    char stack[SH_MAX_DEPTH] = {'N'};
    int depth = 0;
    bool word_start = true;
    heredoc hd[4];
    int nhd = 0;
    size_t i = lo;
    while (i < hi) {
        char c = s[i], c1 = i + 1 < hi ? s[i + 1] : '\0';
        if (stack[depth] == 'D') {
            if (c == '\\') {
                reject_range(A, i + 1, i + 2, "follows a backslash in a shell command");
                i += 2;
            } else if (c == '"') {
                depth--, i++, word_start = false;
            } else if (c == '$' && c1 == '(') {
                if (depth + 1 >= SH_MAX_DEPTH) {
                    reject_range(A, i, hi,
                                 "is nested more than 32 quotes or $( ) deep in a shell command");
                    return;
                }
                stack[++depth] = 'N', i += 2, word_start = true;
            } else if (c == '$' && c1 == '{') {
                i = skip_braces(A, i, hi);
            } else if (c == '`') {
                i = skip_backticks(A, i, hi);
            } else {
                if (c == HOLE)
                    reject_range(A, i, i + 1, "sits inside \"...\" in a shell command" OUTSIDE);
                i++;
            }
            continue;
        }
        bool next_start = false;
        switch (c) {
        case HOLE:
            set_shell(A, i), i++;
            break;
        case '\\':
            reject_range(A, i + 1, i + 2, "follows a backslash in a shell command");
            next_start = c1 == '\n' && word_start; /* a line continuation */
            i += 2;
            break;
        case '\'':
            i = skip_single(A, i, hi, false);
            break;
        case '`':
            i = skip_backticks(A, i, hi);
            break;
        case '"':
        case '(':
            if (depth + 1 >= SH_MAX_DEPTH) {
                reject_range(A, i, hi,
                             "is nested more than 32 quotes or $( ) deep in a shell command");
                return;
            }
            stack[++depth] = c == '"' ? 'D' : 'N';
            next_start = c == '(';
            i++;
            break;
        case ')': /* $(a)#b is one word: no word start after ')' */
            if (depth > 0) depth--;
            i++;
            break;
        case '$':
            if (c1 == '\'')
                i = skip_single(A, i + 1, hi, true);
            else if (c1 == '{')
                i = skip_braces(A, i, hi);
            else
                i++; /* $( and $" open in the next round */
            break;
        case '#':
            if (word_start) {
                size_t e = line_end(s, i, hi);
                for (size_t k = hole_at(A, i); k < A->nh && A->hpos[k] < e; k++)
                    set_shell(A, A->hpos[k]);
                i = e;
                next_start = true;
            } else {
                i++;
            }
            break;
        case '<':
            if (c1 == '<' && (i + 2 >= hi || s[i + 2] != '<')) {
                if (nhd == 4) {
                    reject_range(A, i, hi, "follows a fifth here-document on one line");
                    return;
                }
                heredoc *h = &hd[nhd++];
                size_t j = i + 2;
                h->tabs = j < hi && s[j] == '-';
                h->never = false;
                i = heredoc_word(A, j + h->tabs, hi, h);
                if (!h->delim[0] && !h->never) nhd--;
            } else {
                i++;
            }
            break;
        case '\n':
            i++;
            next_start = true;
            if (nhd) {
                i = heredoc_bodies(A, i, hi, hd, nhd);
                nhd = 0;
            }
            break;
        case ' ':
        case '\t':
        case ';':
        case '&':
        case '|':
            next_start = true;
            i++;
            break;
        default:
            i++;
        }
        word_start = next_start;
    }
}

/* ---- Markdown: fenced blocks and inline code spans ---- */

typedef struct fence {
    char ch;
    size_t run;
    bool shell;
} fence;

bool tmpl_shell_language(const char *s, size_t n)
{
    static const char *const langs[] = {"sh", "bash", "shell", "zsh", "console"};
    for (size_t k = 0; k < sizeof langs / sizeof langs[0]; k++)
        if (strlen(langs[k]) == n && !memcmp(s, langs[k], n)) return true;
    return false;
}

/* A line [i, e) opening a fenced block (at any indentation: see top). */
static bool fence_open(const char *s, size_t i, size_t e, fence *f)
{
    while (i < e && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (i == e || (s[i] != '`' && s[i] != '~')) return false;
    size_t j = i;
    while (j < e && s[j] == s[i])
        j++;
    if (j - i < 3) return false;
    f->ch = s[i];
    f->run = j - i;
    while (j < e && (s[j] == ' ' || s[j] == '\t'))
        j++;
    size_t w = j;
    while (w < e && !strchr(" \t{", s[w]))
        w++;
    if (f->ch == '`' && memchr(s + j, '`', e - j)) return false; /* an inline span */
    f->shell = tmpl_shell_language(s + j, w - j);
    return true;
}

static bool fence_close(const char *s, size_t i, size_t e, const fence *f)
{
    while (i < e && (s[i] == ' ' || s[i] == '\t'))
        i++;
    size_t j = i;
    while (j < e && s[j] == f->ch)
        j++;
    if (j - i < f->run) return false;
    while (j < e && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r'))
        j++;
    return j == e;
}

/* An inline code span whose first word is a command people paste. */
static bool command_span(const char *s, size_t lo, size_t hi)
{
    static const char *const words[] = {"aws", "custos"};
    while (lo < hi && s[lo] == ' ')
        lo++;
    for (size_t k = 0; k < sizeof words / sizeof words[0]; k++) {
        size_t n = strlen(words[k]);
        if (hi - lo > n && !memcmp(s + lo, words[k], n) && s[lo + n] == ' ') return true;
    }
    return false;
}

/* Prose [lo, hi) (no fence in it): code spans are runs of k backticks up
 * to the next run of exactly k, within a paragraph. */
static void prose_scan(ana *A, size_t lo, size_t hi)
{
    const char *s = A->s;
    size_t i = lo;
    while (i < hi) {
        if (s[i] != '`') {
            i++;
            continue;
        }
        size_t k = i;
        while (k < hi && s[k] == '`')
            k++;
        size_t run = k - i, j = k, close = hi;
        while (j < hi) {
            if (s[j] == '\n' && j + 1 < hi && s[j + 1] == '\n') break; /* paragraph end */
            if (s[j] != '`') {
                j++;
                continue;
            }
            size_t m = j;
            while (m < hi && s[m] == '`')
                m++;
            if (m - j == run) {
                close = j;
                break;
            }
            j = m;
        }
        if (close == hi) {
            i = k;
            continue;
        }
        if (command_span(s, k, close)) shell_scan(A, k, close);
        i = close + run;
    }
}

static void markdown_scan(ana *A)
{
    const char *s = A->s;
    size_t i = 0, prose = 0;
    while (i < A->n) {
        size_t e = line_end(s, i, A->n);
        fence f;
        if (!fence_open(s, i, e, &f)) {
            i = e < A->n ? e + 1 : A->n;
            continue;
        }
        prose_scan(A, prose, i);
        reject_range(A, i, e, "sits on a code fence line");
        size_t body = e < A->n ? e + 1 : A->n, j = body;
        while (j < A->n) {
            size_t le = line_end(s, j, A->n);
            if (fence_close(s, j, le, &f)) break;
            j = le < A->n ? le + 1 : A->n;
        }
        if (f.shell) shell_scan(A, body, j);
        i = j < A->n ? line_end(s, j, A->n) : A->n;
        i = i < A->n ? i + 1 : A->n;
        prose = i;
    }
    prose_scan(A, prose, A->n);
}

static int place_holes(arena *a, tmpl *t, tmpl_error *err)
{
    if (!t->holes) return 0;
    ana A = {0};
    buf sh = BUF_INIT;
    A.hpos = arena_alloc(a, t->holes * sizeof *A.hpos);
    A.hole = arena_alloc(a, t->holes * sizeof *A.hole);
    A.in_shell = arena_calloc(a, t->holes * sizeof *A.in_shell);
    for (size_t k = 0; k < t->n; k++) {
        part *p = &t->parts[k];
        if (!p->lit) {
            A.hpos[A.nh] = sh.len;
            A.hole[A.nh++] = p;
            buf_putc(&sh, HOLE);
            continue;
        }
        size_t at = sh.len;
        buf_append(&sh, p->lit, p->len);
        for (size_t c = at; c < sh.len; c++) /* a literal HOLE byte is not a hole */
            if (sh.data[c] == HOLE) sh.data[c] = ' ';
    }
    A.s = sh.data;
    A.n = sh.len;
    markdown_scan(&A);
    for (size_t k = 0; k < A.nh && !A.why; k++)
        if (A.hole[k]->q == TMPL_WORDS && !A.in_shell[k]) {
            A.why = "is outside a shell command: {{words: }} writes shell words";
            A.why_hole = k;
        }
    buf_free(&sh);
    if (!A.why) return 0;
    const part *p = A.hole[A.why_hole];
    err->offset = p->off;
    snprintf(err->msg, sizeof err->msg, "placeholder '{{ %.*s }}' %s", (int)p->len, p->src, A.why);
    return -1;
}

tmpl *tmpl_compile(arena *a, const char *text, size_t len, tmpl_error *err)
{
    tmpl *t = arena_calloc(a, sizeof *t);
    if (cut_parts(a, t, text, len, err) != 0 || place_holes(a, t, err) != 0) return NULL;
    return t;
}

/* ---- rendering ---- */

/* Prose: control characters become spaces, so a value cannot start a
 * Markdown block (a code fence of its own) on a line of its own. */
static void put_prose(buf *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        buf_putc(out, c < 0x20 || c == 0x7f ? ' ' : (char)c);
    }
}

/* One shell word: strings as they are, everything else as compact JSON. */
static int put_word(buf *out, const jv *v)
{
    if (v->kind == JV_STRING) return sh_quote(out, v->u.str, v->len);
    buf j = BUF_INIT;
    json_write(&j, v);
    int rc = sh_quote(out, j.data, j.len);
    buf_free(&j);
    return rc;
}

static int put_value(const part *p, const jv *v, buf *out, tmpl_error *err)
{
    switch (p->q) {
    case TMPL_SHELL:
        if (put_word(out, v) == 0) return 0;
        break;
    case TMPL_WORDS:
        if (v->kind != JV_ARRAY) {
            snprintf(err->msg, sizeof err->msg,
                     "placeholder '{{words: %.*s }}' is not a list for this finding", (int)p->len,
                     p->src);
            return -1;
        }
        for (size_t i = 0; i < v->len; i++) {
            if (i) buf_putc(out, ' ');
            if (put_word(out, &v->u.items[i]) != 0) goto nul;
        }
        return 0;
    case TMPL_PROSE:
    case TMPL_RAW:
        if (v->kind != JV_STRING)
            json_write(out, v);
        else if (p->q == TMPL_PROSE)
            put_prose(out, v->u.str, v->len);
        else
            buf_append(out, v->u.str, v->len);
        return 0;
    }
nul:
    snprintf(err->msg, sizeof err->msg,
             "placeholder '{{ %.*s }}' holds a NUL byte, which no shell argument can carry",
             (int)p->len, p->src);
    return -1;
}

int tmpl_render(const tmpl *t, const jv *ctx, arena *scratch, buf *out, tmpl_error *err)
{
    for (size_t i = 0; i < t->n; i++) {
        const part *p = &t->parts[i];
        if (p->lit) {
            buf_append(out, p->lit, p->len);
            continue;
        }
        jv v;
        jp_error je;
        err->offset = p->off;
        if (jp_eval(p->expr, ctx, scratch, &v, &je) != 0) {
            snprintf(err->msg, sizeof err->msg, "placeholder '{{ %.*s }}': %s", (int)p->len, p->src,
                     je.msg);
            return -1;
        }
        if (v.kind == JV_NULL) {
            snprintf(err->msg, sizeof err->msg,
                     "placeholder '{{ %.*s }}' is empty for this finding", (int)p->len, p->src);
            return -1;
        }
        if (put_value(p, &v, out, err) != 0) return -1;
    }
    return 0;
}

size_t tmpl_holes(const tmpl *t)
{
    return t->holes;
}

tmpl_quoting tmpl_hole_quoting(const tmpl *t, size_t i)
{
    for (size_t k = 0; k < t->n; k++)
        if (!t->parts[k].lit && i-- == 0) return t->parts[k].q;
    return TMPL_PROSE;
}
