/* opts.c - table-driven option parsing and help; see opts.h.
 *
 * The table is turned into getopt_long's arrays on each call (commands
 * parse once per process, and a table has a few dozen rows at most), with
 * each long option's val set to 256 + its row, so one switch-free loop
 * stores every value.  -h/--help is added to every table.
 */
#include "cli/opts.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_OPTS 64
#define HELP_VAL (256 + MAX_OPTS)

static int store_value(const cli_command *cmd, const cli_opt *o, const char *arg)
{
    switch (o->kind) {
    case CLI_STR:
        *(const char **)o->dest = arg;
        return 0;
    case CLI_LIST:
        strlist_add_csv((strlist *)o->dest, arg);
        return 0;
    case CLI_PATH:
        strlist_add((strlist *)o->dest, arg);
        return 0;
    case CLI_FLAG:
        *(bool *)o->dest = true;
        return 0;
    case CLI_NUM: {
        char *end;
        errno = 0;
        long v = strtol(arg, &end, 10);
        if (!*arg || *end || errno) {
            fprintf(stderr, "custos %s: --%s '%s' is not a whole number\n", cmd->name, o->name,
                    arg);
            return -1;
        }
        *(long *)o->dest = v;
        return 0;
    }
    }
    return -1;
}

cli_parse_rc cli_parse(const cli_command *cmd, int argc, char **argv, const char **args, int *nargs)
{
    struct option longopts[MAX_OPTS + 2];
    char shortopts[2 * MAX_OPTS + 3];
    size_t n = 0, ns = 0;
    for (const cli_opt *o = cmd->opts; o && o->name && n < MAX_OPTS; o++, n++) {
        longopts[n] = (struct option){
            o->name, o->kind == CLI_FLAG ? no_argument : required_argument, NULL, 256 + (int)n};
        if (o->letter) {
            shortopts[ns++] = o->letter;
            if (o->kind != CLI_FLAG) shortopts[ns++] = ':';
        }
    }
    longopts[n] = (struct option){"help", no_argument, NULL, HELP_VAL};
    longopts[n + 1] = (struct option){0, 0, 0, 0};
    shortopts[ns++] = 'h';
    shortopts[ns] = 0;
    if (nargs) *nargs = 0;
    optind = 1;
    int c;
    while ((c = cli_getopt(argc, argv, shortopts, longopts)) != -1) {
        if (c == 'h' || c == HELP_VAL) {
            cli_usage(cmd, stdout);
            return CLI_EXIT_OK;
        }
        const cli_opt *o = NULL;
        if (c >= 256 && c < 256 + (int)n)
            o = &cmd->opts[c - 256];
        else
            for (size_t i = 0; i < n && !o; i++)
                if (cmd->opts[i].letter == c) o = &cmd->opts[i];
        if (!o) return CLI_EXIT_ERROR; /* '?': cli_getopt said what */
        if (store_value(cmd, o, optarg) < 0) return CLI_EXIT_ERROR;
    }
    for (int i = optind; i < argc; i++) {
        if (!nargs || *nargs >= cmd->max_args) {
            fprintf(stderr, "custos %s: unexpected argument '%s'%s%s%s\n", cmd->name, argv[i],
                    cmd->args_are ? " (it takes one " : "", cmd->args_are ? cmd->args_are : "",
                    cmd->args_are ? ")" : "");
            fprintf(stderr, "Run 'custos %s --help' to see every option.\n", cmd->name);
            return CLI_EXIT_ERROR;
        }
        args[(*nargs)++] = argv[i];
    }
    return CLI_OK;
}

/* "  -f, --format FMT      help": help at column 26, or two spaces after a
 * long left part; continuation lines start at column 26. */
static void usage_line(FILE *out, char letter, const char *name, const char *arg, const char *help)
{
    char left[96];
    int w =
        snprintf(left, sizeof left, "%c%c%c --%s%s%s", letter ? '-' : ' ', letter ? letter : ' ',
                 letter ? ',' : ' ', name, arg ? " " : "", arg ? arg : "");
    fprintf(out, "  %s%*s", left, w < 22 ? 24 - w : 2, "");
    for (const char *h = help ? help : ""; *h; h++) {
        fputc(*h, out);
        if (*h == '\n' && h[1]) fprintf(out, "%26s", "");
    }
    fputc('\n', out);
}

int cli_args(const cli_command *cmd, int argc, char **argv, const char **args, int *nargs)
{
    cli_parse_rc pr = cli_parse(cmd, argc, argv, args, nargs);
    return pr == CLI_OK ? -1 : pr == CLI_EXIT_OK ? 0 : 1;
}

void cli_usage(const cli_command *cmd, FILE *out)
{
    fputs(cmd->synopsis, out);
    fputc('\n', out);
    for (const cli_opt *o = cmd->opts; o && o->name; o++)
        usage_line(out, o->letter, o->name, o->arg, o->help);
    usage_line(out, 'h', "help", NULL, "this text");
    if (cmd->epilog) fprintf(out, "\n%s", cmd->epilog);
}

int cli_choice(const char *cmd, const char *opt, const char *given, const char *const *names,
               int dflt)
{
    if (!given) return dflt;
    size_t k = 0;
    for (; names[k]; k++)
        if (!strcmp(names[k], given)) return (int)k;
    fprintf(stderr, "custos %s: unknown --%s '%s' (expected ", cmd, opt, given);
    for (size_t i = 0; i < k; i++)
        fprintf(stderr, "%s%s", names[i], i + 2 < k ? ", " : i + 1 < k ? " or " : "");
    fputs(")\n", stderr);
    return -1;
}

FILE *cli_output_open(const char *cmd, const char *path)
{
    if (!path) return stdout;
    FILE *f = fopen(path, "w");
    if (!f) fprintf(stderr, "custos %s: cannot write %s: %s\n", cmd, path, strerror(errno));
    return f;
}

int cli_output_close(const char *cmd, const char *path, FILE *f)
{
    int bad = fflush(f) != 0 || ferror(f);
    if (f != stdout && fclose(f) != 0) bad = 1;
    if (bad) {
        fprintf(stderr, "custos %s: error writing %s: %s\n", cmd, path ? path : "output",
                strerror(errno));
        return 1;
    }
    return 0;
}

bool cli_for_people(const char *output)
{
    return !output && isatty(STDOUT_FILENO);
}
