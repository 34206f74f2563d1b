/* pos dukpt: placeholder until its module lands. */
#include "cli.h"

int cmd_dukpt(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_error(CLI_FAILED, "dukpt", "not implemented yet");
}
