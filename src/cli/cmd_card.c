/* pos card: placeholder until its module lands. */
#include "cli.h"

int cmd_card(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_error(CLI_FAILED, "card", "not implemented yet");
}
