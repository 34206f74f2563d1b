/* pos mac: placeholder until its module lands. */
#include "cli.h"

int cmd_mac(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_error(CLI_FAILED, "mac", "not implemented yet");
}
