/* pos iso8583: placeholder until its module lands. */
#include "cli.h"

int cmd_iso8583(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_error(CLI_FAILED, "iso8583", "not implemented yet");
}
