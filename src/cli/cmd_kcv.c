/* pos kcv: placeholder until its module lands. */
#include "cli.h"

int cmd_kcv(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_error(CLI_FAILED, "kcv", "not implemented yet");
}
