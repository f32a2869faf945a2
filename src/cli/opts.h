/* opts.h - a command's options, declared once as a table.
 *
 * Each command lists its options in a cli_opt table: the long name, an
 * optional short letter, what kind of value it takes, where the value
 * goes, and its help line.  cli_parse() parses argv against the table with
 * cli_getopt's messages (closest option on a typo, which option needs a
 * value), checks numbers, collects positional arguments, and answers
 * -h/--help with the command's synopsis followed by the option list
 * generated from the same table, so an option cannot exist undocumented
 * or be documented without existing.
 */
#ifndef CUSTOS_CLI_OPTS_H
#define CUSTOS_CLI_OPTS_H

#include <stdbool.h>
#include <stdio.h>

#include "cli/common.h"

typedef enum {
    CLI_STR,  /* const char **: the last one given wins */
    CLI_LIST, /* strlist *: repeatable, each value split at commas */
    CLI_PATH, /* strlist *: repeatable, one value each (paths keep their commas) */
    CLI_NUM,  /* long *: an integer, checked ("--days 'x' is not a number") */
    CLI_FLAG, /* bool *: set to true */
} cli_opt_kind;

typedef struct cli_opt {
    const char *name; /* long name, without "--"; NULL ends the table */
    char letter;      /* short option, or 0 */
    cli_opt_kind kind;
    void *dest;
    const char *arg;  /* the value's name in the help ("URL"); NULL for flags */
    const char *help; /* one line; '\n' continues it, indented, on the next */
} cli_opt;

/* Rows most commands share, spelled and documented the same everywhere. */
#define CLI_OPT_DB(dest)                                                                           \
    {                                                                                              \
        "db", 0, CLI_STR, dest, "URL",                                                             \
            "findings store: sqlite:PATH or postgresql://...\n(default $CUSTOS_DB, else "          \
            "sqlite:custos.db)"                                                                    \
    }
#define CLI_OPT_ACCOUNT(dest)                                                                      \
    {                                                                                              \
        "account", 0, CLI_LIST, dest, "ID|NAME",                                                   \
            "only these accounts (repeatable, comma-separated)"                                    \
    }
#define CLI_OPT_TEAM(dest)                                                                         \
    {                                                                                              \
        "team", 0, CLI_LIST, dest, "TEAM", "only these teams"                                      \
    }
#define CLI_OPT_OUTPUT(dest)                                                                       \
    {                                                                                              \
        "output", 'o', CLI_STR, dest, "FILE", "write to FILE instead of stdout"                    \
    }
#define CLI_OPT_AS_OF(dest)                                                                        \
    {                                                                                              \
        "as-of", 0, CLI_STR, dest, "DATE", "the clock for ages and expiries (default: now)"        \
    }

typedef struct cli_command {
    const char *name;     /* "findings" */
    const char *synopsis; /* "usage: ...\n\nWhat it does.\n" */
    const cli_opt *opts;
    int max_args;         /* positional arguments allowed (0: none) */
    const char *args_are; /* their name in the "unexpected argument" message */
    const char *epilog;   /* after the options ("Exit status: ..."), or NULL */
} cli_command;

typedef enum { CLI_OK, CLI_EXIT_OK, CLI_EXIT_ERROR } cli_parse_rc;

/* Parses argv (argv[0] is the command's name) into the table's
 * destinations; positional arguments, at most cmd->max_args, go to
 * args[0..*nargs).  Returns CLI_OK; CLI_EXIT_OK after printing the help;
 * CLI_EXIT_ERROR after printing what is wrong (exit 1). */
cli_parse_rc cli_parse(const cli_command *cmd, int argc, char **argv, const char **args,
                       int *nargs);

/* cli_parse for commands that exit when parsing ends them: -1 to go on,
 * else the exit status (0 after --help, 1 after an error). */
int cli_args(const cli_command *cmd, int argc, char **argv, const char **args, int *nargs);

/* Writes the synopsis and the generated option list. */
void cli_usage(const cli_command *cmd, FILE *out);

/* Index of `given` in names (NULL-terminated), or dflt when given is NULL;
 * -1 after printing "custos CMD: unknown --OPT 'x' (expected a, b or c)". */
int cli_choice(const char *cmd, const char *opt, const char *given, const char *const *names,
               int dflt);

/* The output a command writes: FILE, or stdout when path is NULL; NULL
 * after printing why the file cannot be written.  cli_output_close
 * closes a file (never stdout) and reports a failed write (0 or 1). */
FILE *cli_output_open(const char *cmd, const char *path);
int cli_output_close(const char *cmd, const char *path, FILE *f);

/* true when the default format should be the one for people: stdout is
 * a terminal and no -o was given. */
bool cli_for_people(const char *output);

#endif
