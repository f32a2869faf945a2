/* jmespath.c - per-evaluation cost of custos's JMESPath on the expressions
 * policies use, over one EC2-instance-shaped document.  Prints one line per
 * expression: "<ns per eval> <expression>"; bench/jmespath.sh runs the
 * reference implementation on the same lines and prints the ratios.
 * The simple-path line measures the jp_simple_path bypass hot callers use. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jmespath/jmespath.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: jmespath DOC.json EXPR...\n");
        return 1;
    }
    size_t len;
    char *text = read_file(argv[1], &len);
    arena *a = arena_new(0), *s = arena_new(0);
    jv doc, out;
    json_error je;
    if (!text || json_parse(a, text, len, &doc, &je) != 0) {
        fprintf(stderr, "jmespath: cannot read %s\n", argv[1]);
        return 1;
    }
    for (int k = 2; k < argc; k++) {
        jp_error err;
        jp_node *e = jp_compile(a, argv[k], strlen(argv[k]), &err);
        if (!e) {
            fprintf(stderr, "jmespath: %s: %s\n", argv[k], err.msg);
            return 1;
        }
        const char *names[16];
        size_t lens[16];
        int n = jp_simple_path(e, names, lens, 16);
        long iters = 1000000;
        double best = 1e9;
        for (int rep = 0; rep < 3; rep++) {
            double t0 = now();
            for (long i = 0; i < iters; i++) {
                if (jp_eval(e, &doc, s, &out, &err) != 0) return 1;
                if ((i & 1023) == 0) arena_reset(s);
            }
            double t = (now() - t0) / (double)iters * 1e9;
            if (t < best) best = t;
        }
        printf("%.1f %s\n", best, argv[k]);
        if (n > 0) {
            volatile const jv *sink = NULL;
            double t0 = now();
            for (long i = 0; i < iters; i++) {
                const jv *v = &doc;
                for (int j = 0; j < n && v; j++)
                    v = jv_getn(v, names[j], lens[j]);
                sink = v;
            }
            (void)sink;
            printf("%.1f %s (jp_simple_path)\n", (now() - t0) / (double)iters * 1e9, argv[k]);
        }
    }
    free(text);
    arena_free(s);
    arena_free(a);
    return 0;
}
