/* stubs.c - temporary: commands not built yet. */
#include <stdio.h>
#include "cli/cli.h"
int cmd_scan(int argc, char **argv) { (void)argc; (void)argv; fprintf(stderr, "custos scan: not built yet\n"); return 1; }
int cmd_eval(int argc, char **argv) { (void)argc; (void)argv; fprintf(stderr, "custos eval: not built yet\n"); return 1; }
int cmd_validate(int argc, char **argv) { (void)argc; (void)argv; fprintf(stderr, "custos validate: not built yet\n"); return 1; }
int cmd_query(int argc, char **argv) { (void)argc; (void)argv; fprintf(stderr, "custos query: not built yet\n"); return 1; }
