/* json_libs.c - which JSON parser should custos use?  Parses every file of a
 * directory into a DOM with each Debian-packaged candidate, one core, and
 * prints seconds and the ratio to merely reading the files (measured in the
 * same run).  Results and the decision are in bench/README.md.
 *
 * usage: json_libs DIR [REPEATS]
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yajl/yajl_tree.h>

#include "json/json.h"

typedef struct file {
    char *text;
    size_t len;
} file;

static file *files;
static size_t nfiles, total;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void load(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        perror(dir);
        exit(1);
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strstr(e->d_name, ".json")) continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        files = realloc(files, (nfiles + 1) * sizeof *files);
        files[nfiles].text = read_file(path, &files[nfiles].len);
        total += files[nfiles].len;
        nfiles++;
    }
    closedir(d);
}

static double run_read(const char *dir)
{
    double t0 = now();
    for (size_t i = 0; i < nfiles; i++) {
        (void)dir;
        free(files[i].text);
    }
    free(files);
    files = NULL;
    nfiles = total = 0;
    load(dir);
    return now() - t0;
}

/* jansson and json-c declare clashing names, so each lives in its own file. */
double bench_jansson(const char *const *texts, const size_t *lens, size_t n);
double bench_jsonc(const char *const *texts, const size_t *lens, size_t n);
static const char **texts;
static size_t *lens;
static void split(void)
{
    texts = realloc(texts, nfiles * sizeof *texts);
    lens = realloc(lens, nfiles * sizeof *lens);
    for (size_t i = 0; i < nfiles; i++)
        texts[i] = files[i].text, lens[i] = files[i].len;
}
static double run_jansson(void)
{
    split();
    return bench_jansson(texts, lens, nfiles);
}
static double run_jsonc(void)
{
    split();
    return bench_jsonc(texts, lens, nfiles);
}

static double run_yajl(void)
{
    double t0 = now();
    for (size_t i = 0; i < nfiles; i++) {
        char err[256];
        yajl_val v = yajl_tree_parse(files[i].text, err, sizeof err);
        if (!v) fprintf(stderr, "yajl: %s\n", err);
        yajl_tree_free(v);
    }
    return now() - t0;
}

static double run_custos(int fast)
{
    arena *a = arena_new(1 << 20);
    double t0 = now();
    for (size_t i = 0; i < nfiles; i++) {
        jv v;
        json_error e;
        int rc = fast ? json_parse_fast(a, files[i].text, files[i].len, &v, &e)
                      : json_parse(a, files[i].text, files[i].len, &v, &e);
        if (rc < 0) fprintf(stderr, "custos: %s\n", e.msg);
        arena_reset(a);
    }
    double t = now() - t0;
    arena_free(a);
    return t;
}

static double best(double (*fn)(void), int reps)
{
    double b = 1e9;
    for (int r = 0; r < reps; r++) {
        double t = fn();
        if (t < b) b = t;
    }
    return b;
}

static double custos_ref(void)
{
    return run_custos(0);
}
static double custos_fast(void)
{
    return run_custos(1);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: json_libs DIR [REPEATS]\n");
        return 1;
    }
    int reps = argc > 2 ? atoi(argv[2]) : 3;
    load(argv[1]);
    double tread = 1e9;
    for (int r = 0; r < reps; r++) {
        double t = run_read(argv[1]);
        if (t < tread) tread = t;
    }
    printf("%zu files, %.1f MB, best of %d, one core\n", nfiles, (double)total / 1e6, reps);
    printf("%-34s %8s %8s %10s\n", "parser", "seconds", "MB/s", "x read");
    printf("%-34s %8.3f %8.0f %10.2f\n", "read files only (floor)", tread, total / 1e6 / tread,
           1.0);
    struct {
        const char *name;
        double (*fn)(void);
    } cands[] = {
        {"jansson (libjansson-dev)", run_jansson},
        {"json-c (libjson-c-dev)", run_jsonc},
        {"yajl tree (libyajl-dev)", run_yajl},
        {"custos json_parse (reference, C)", custos_ref},
        {"custos json_parse_fast (simdjson)", custos_fast},
    };
    for (size_t i = 0; i < sizeof cands / sizeof *cands; i++) {
        double t = best(cands[i].fn, reps);
        printf("%-34s %8.3f %8.0f %10.2f\n", cands[i].name, t, total / 1e6 / t, t / tread);
    }
    return 0;
}
