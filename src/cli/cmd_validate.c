/* cmd_validate.c - placeholder until the command lands. */
#include <stdio.h>

#include "cli/cli.h"

int cmd_validate(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "custos validate: not built yet\n");
    return 1;
}
