/* pos cvv: placeholder until its module lands. */
#include "cli.h"

int cmd_cvv(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_error(CLI_FAILED, "cvv", "not implemented yet");
}
