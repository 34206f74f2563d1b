/* pos pinblock: placeholder until its module lands. */
#include "cli.h"

int cmd_pinblock(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_error(CLI_FAILED, "pinblock", "not implemented yet");
}
