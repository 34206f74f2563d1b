/* pos money: placeholder until its module lands. */
#include "cli.h"

int cmd_money(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_error(CLI_FAILED, "money", "not implemented yet");
}
