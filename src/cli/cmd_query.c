/* cmd_query.c - `custos query EXPRESSION [FILE]`: JMESPath over a JSON document.
 *
 * The command is a thin shell over jp_compile/jp_eval so users can try the
 * `key` expressions of their policies against real API output.  The result
 * is printed as compact JSON on one line.  The --cases mode evaluates many
 * {"expression", "data"} pairs (JSON Lines) in one process, so the
 * conformance and differential tests do not start thousands of sanitizer
 * processes; each case prints one line, "OK <json>" or "ERROR <kind> <msg>".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "jmespath/jmespath.h"
#include "json/json.h"
#include "util/buf.h"

static char *slurp(FILE *f, size_t *len)
{
    buf b = BUF_INIT;
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        buf_append(&b, tmp, n);
    buf_reserve(&b, 1);
    *len = b.len;
    return buf_steal(&b);
}

/* Message of an error on one line. */
static void one_line(char *s)
{
    for (; *s; s++)
        if (*s == '\n' || *s == '\r') *s = ' ';
}

static void print_jp_error(const jp_error *e)
{
    char msg[sizeof e->msg];
    memcpy(msg, e->msg, sizeof msg);
    one_line(msg);
    if (!strcmp(e->kind, "syntax"))
        fprintf(stderr, "custos query: syntax error at column %zu: %s\n", e->pos + 1, msg);
    else
        fprintf(stderr, "custos query: %s: %s (at column %zu)\n", e->kind, msg, e->pos + 1);
}

static int run_one(const char *expr, const char *file)
{
    size_t len = 0;
    char *text = NULL;
    if (file && strcmp(file, "-") != 0) {
        text = read_file(file, &len);
        if (!text) {
            fprintf(stderr, "custos query: %s: %s\n", file, strerror(errno));
            return 1;
        }
    } else {
        text = slurp(stdin, &len);
        file = "<stdin>";
    }
    arena *a = arena_new(0);
    int rc = 1;
    json_error je;
    jv data, out;
    jp_error err;
    jp_node *e;
    if (json_parse(a, text, len, &data, &je) != 0) {
        fprintf(stderr, "custos query: %s:%d:%d: %s\n", file, je.line, je.col, je.msg);
    } else if (!(e = jp_compile(a, expr, strlen(expr), &err)) ||
               jp_eval(e, &data, a, &out, &err) != 0) {
        print_jp_error(&err);
    } else {
        buf b = BUF_INIT;
        json_write(&b, &out);
        buf_putc(&b, '\n');
        fwrite(b.data, 1, b.len, stdout);
        buf_free(&b);
        rc = 0;
    }
    arena_free(a);
    free(text);
    return rc;
}

/* One --cases line: prints OK/ERROR; returns -1 if the line is malformed. */
static int run_case(arena *a, const char *line, size_t len, buf *o)
{
    json_error je;
    jv c, out;
    if (json_parse(a, line, len, &c, &je) != 0) return -1;
    const jv *ex = jv_get(&c, "expression"), *data = jv_get(&c, "data");
    if (!jv_is(ex, JV_STRING)) return -1;
    jv null = jv_null();
    jp_error err;
    jp_node *e = jp_compile(a, ex->u.str, ex->len, &err);
    if (e && jp_eval(e, data ? data : &null, a, &out, &err) == 0) {
        buf_puts(o, "OK ");
        json_write(o, &out);
    } else {
        one_line(err.msg);
        buf_printf(o, "ERROR %s %s", err.kind, err.msg);
    }
    buf_putc(o, '\n');
    return 0;
}

static int run_cases(const char *path)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f) {
        fprintf(stderr, "custos query: %s: %s\n", path, strerror(errno));
        return 1;
    }
    arena *a = arena_new(0);
    buf o = BUF_INIT;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int lineno = 0, rc = 0;
    while ((n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (n == 0 || (n == 1 && line[0] == '\n')) continue;
        arena_reset(a);
        if (run_case(a, line, (size_t)n, &o) != 0) {
            fprintf(stderr, "custos query: %s:%d: not a {\"expression\", \"data\"} object\n", path,
                    lineno);
            rc = 1;
            break;
        }
        fwrite(o.data, 1, o.len, stdout);
        buf_reset(&o);
    }
    free(line);
    buf_free(&o);
    arena_free(a);
    if (f != stdin) fclose(f);
    return rc;
}

int cmd_query(int argc, char **argv)
{
    const char *cases = NULL, *args[2] = {NULL, NULL};
    int nargs = 0;
    const cli_opt opts[] = {
        {"cases", 0, CLI_STR, &cases, "FILE",
         "batch mode for tests: FILE holds one JSON object per line,\n{\"expression\": \"...\", "
         "\"data\": ...}; prints one line per\ncase, \"OK <result>\" or \"ERROR <kind> "
         "<message>\"."},
        {0},
    };
    const cli_command cmd = {
        "query",
        "usage: custos query EXPRESSION [FILE]\n"
        "       custos query --cases FILE\n"
        "\n"
        "Evaluates the JMESPath EXPRESSION over the JSON document in FILE (default:\n"
        "standard input) and prints the result as compact JSON on one line.\n",
        opts,
        2,
        "an expression and a file",
        "Exit status: 0 ok, 1 bad JSON, bad expression or evaluation error (the\n"
        "message names the error kind: syntax, invalid-type, invalid-value,\n"
        "invalid-arity, unknown-function).\n"};
    int rc = cli_args(&cmd, argc, argv, args, &nargs);
    if (rc >= 0) return rc;
    if (cases) {
        if (nargs) {
            fprintf(stderr, "custos query: --cases takes no expression\n");
            return 1;
        }
        return run_cases(cases);
    }
    if (!nargs) {
        cli_usage(&cmd, stderr);
        return 1;
    }
    return run_one(args[0], nargs == 2 ? args[1] : NULL);
}
