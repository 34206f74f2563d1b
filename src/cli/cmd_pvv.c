/* pos pvv: placeholder until its module lands. */
#include "cli.h"

int cmd_pvv(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_error(CLI_FAILED, "pvv", "not implemented yet");
}
