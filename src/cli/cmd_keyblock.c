/* pos keyblock: placeholder until its module lands. */
#include "cli.h"

int cmd_keyblock(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_error(CLI_FAILED, "keyblock", "not implemented yet");
}
