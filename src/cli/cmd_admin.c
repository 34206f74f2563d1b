/* pos admin: placeholder until the host administration lands. */
#include "cli.h"

int cmd_admin(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_error(CLI_FAILED, "admin", "not implemented yet");
}
