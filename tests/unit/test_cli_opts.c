/* test_cli_opts.c - table-driven options (cli/opts.h): values land where the
 * table says, lists split at commas and paths do not, numbers are checked,
 * positional arguments are bounded, and --help is generated from the rows. */
#include <stdlib.h>
#include <unistd.h>

#include "cli/opts.h"
#include "t.h"

static char *stderr_text; /* what the last parse printed on stderr */

/* Runs cli_args on a NULL-terminated argv with stderr captured. */
static int parse(const cli_command *cmd, const char **args, int *nargs, const char *const *av)
{
    char *argv[32];
    int argc = 0;
    for (; av[argc]; argc++)
        argv[argc] = (char *)av[argc];
    argv[argc] = NULL;
    fflush(stderr);
    FILE *tmp = tmpfile();
    int saved = dup(2);
    dup2(fileno(tmp), 2);
    int rc = cli_args(cmd, argc, argv, args, nargs);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    long n = ftell(tmp);
    rewind(tmp);
    free(stderr_text);
    stderr_text = calloc(1, (size_t)n + 1);
    if (n > 0 && fread(stderr_text, 1, (size_t)n, tmp) != (size_t)n) stderr_text[0] = 0;
    fclose(tmp);
    return rc;
}

typedef struct vals {
    const char *db, *fmt;
    strlist teams, paths;
    long limit;
    bool all;
} vals;

#define TABLE(v)                                                                                   \
    const cli_opt opts[] = {                                                                       \
        CLI_OPT_DB(&(v).db),                                                                       \
        CLI_OPT_TEAM(&(v).teams),                                                                  \
        {"policies", 'p', CLI_PATH, &(v).paths, "PATH", "policy files"},                           \
        {"limit", 0, CLI_NUM, &(v).limit, "N", "at most N"},                                       \
        {"all", 0, CLI_FLAG, &(v).all, NULL, "everything\nand more"},                              \
        {"format", 'f', CLI_STR, &(v).fmt, "FMT", "table or json"},                                \
        {0},                                                                                       \
    };                                                                                             \
    const cli_command cmd = {                                                                      \
        "demo", "usage: custos demo [options] [ID]\n", opts, 1, "ID", "Exit status: 0 ok.\n"}

TEST(values_land_in_the_table)
{
    vals v = {0};
    TABLE(v);
    const char *args[1];
    int n = 0;
    const char *av[] = {"demo",     "--db", "sqlite:x.db", "--team",  "a,b",
                        "--team=c", "-p",   "p1,p2.yml",   "--limit", "12",
                        "--all",    "-f",   "json",        "abcd",    NULL};
    CHECK(parse(&cmd, args, &n, av) == -1);
    CHECK_STR(v.db, "sqlite:x.db");
    CHECK(v.teams.n == 3 && !strcmp(v.teams.items[1], "b") && !strcmp(v.teams.items[2], "c"));
    CHECK(v.paths.n == 1 && !strcmp(v.paths.items[0], "p1,p2.yml"));
    CHECK(v.limit == 12 && v.all);
    CHECK_STR(v.fmt, "json");
    CHECK(n == 1 && !strcmp(args[0], "abcd"));
    strlist_free(&v.teams);
    strlist_free(&v.paths);
}

TEST(errors_name_the_option)
{
    vals v = {0};
    TABLE(v);
    const char *args[1];
    int n = 0;
    const char *bad_num[] = {"demo", "--limit", "12x", NULL};
    CHECK(parse(&cmd, args, &n, bad_num) == 1);
    CHECK(strstr(stderr_text, "custos demo: --limit '12x' is not a whole number") != NULL);
    const char *typo[] = {"demo", "--limt", "3", NULL};
    CHECK(parse(&cmd, args, &n, typo) == 1);
    CHECK(strstr(stderr_text, "did you mean '--limit'") != NULL);
    const char *missing[] = {"demo", "--db", NULL};
    CHECK(parse(&cmd, args, &n, missing) == 1);
    CHECK(strstr(stderr_text, "'--db' needs a value") != NULL);
    const char *extra[] = {"demo", "one", "two", NULL};
    CHECK(parse(&cmd, args, &n, extra) == 1);
    CHECK(strstr(stderr_text, "unexpected argument 'two' (it takes one ID)") != NULL);
    const char *flagval[] = {"demo", "--all=yes", NULL};
    CHECK(parse(&cmd, args, &n, flagval) == 1);
    CHECK(strstr(stderr_text, "'--all' takes no value") != NULL);
}

TEST(help_is_generated_from_the_rows)
{
    vals v = {0};
    TABLE(v);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cli_usage(&cmd, f);
    fclose(f);
    CHECK(strncmp(text, "usage: custos demo", 18) == 0);
    CHECK(strstr(text, "\n      --db URL            findings store") != NULL);
    CHECK(strstr(text, "\n  -p, --policies PATH     policy files\n") != NULL);
    CHECK(strstr(text, "\n      --all               everything\n                          and "
                       "more\n") != NULL);
    CHECK(strstr(text, "\n  -h, --help              this text\n\nExit status: 0 ok.\n") != NULL);
    /* every row of the table is in the help */
    for (const cli_opt *o = opts; o->name; o++) {
        char want[64];
        snprintf(want, sizeof want, "--%s", o->name);
        CHECK(strstr(text, want) != NULL);
    }
    free(text);
}

TEST(choices_list_what_is_expected)
{
    static const char *const names[] = {"table", "json", "csv", NULL};
    CHECK(cli_choice("demo", "format", NULL, names, 1) == 1);
    CHECK(cli_choice("demo", "format", "csv", names, 0) == 2);
    fflush(stderr);
    FILE *tmp = tmpfile();
    int saved = dup(2);
    dup2(fileno(tmp), 2);
    int r = cli_choice("demo", "format", "xml", names, 0);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    char got[200] = {0};
    rewind(tmp);
    CHECK(fread(got, 1, sizeof got - 1, tmp) > 0);
    fclose(tmp);
    CHECK(r == -1);
    CHECK_STR(got, "custos demo: unknown --format 'xml' (expected table, json or csv)\n");
}

int main(void)
{
    RUN(values_land_in_the_table);
    RUN(errors_name_the_option);
    RUN(help_is_generated_from_the_rows);
    RUN(choices_list_what_is_expected);
    free(stderr_text);
    T_EXIT();
}
