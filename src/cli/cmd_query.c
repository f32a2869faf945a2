/* cmd_query.c - placeholder until the command lands. */
#include <stdio.h>

#include "cli/cli.h"

int cmd_query(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "custos query: not built yet\n");
    return 1;
}
