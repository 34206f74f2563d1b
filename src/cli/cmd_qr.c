/* pos qr: placeholder until its module lands. */
#include "cli.h"

int cmd_qr(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_error(CLI_FAILED, "qr", "not implemented yet");
}
