/* pos tlv: placeholder until its module lands. */
#include "cli.h"

int cmd_tlv(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_error(CLI_FAILED, "tlv", "not implemented yet");
}
