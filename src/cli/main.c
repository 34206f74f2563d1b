/* pos: the terminal and the tool belt. This file only dispatches. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "crypto/block.h"

struct cli_cmd {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
};

static const struct cli_cmd cli_cmds[] = {
    {"iso8583", "pack and unpack ISO 8583 messages (iso87a, iso87b, cup, dialect files)",
     cmd_iso8583},
    {"tlv", "decode EMV BER-TLV data (field 55)", cmd_tlv},
    {"card", "check a PAN (Luhn, brand, masking) and parse track data", cmd_card},
    {"qr", "decode and encode EMVCo merchant-presented QR payloads", cmd_qr},
    {"money", "parse, format and compute amounts in ISO 4217 currencies", cmd_money},
    {"pinblock", "encode and decode ISO 9564 PIN blocks (formats 0-4)", cmd_pinblock},
    {"dukpt", "derive DUKPT keys (ANSI X9.24-1 TDES, X9.24-3 AES) and encrypt PINs", cmd_dukpt},
    {"mac", "compute MACs (X9.19, ISO 9797-1, CMAC, UnionPay ECB)", cmd_mac},
    {"kcv", "compute key check values", cmd_kcv},
    {"keyblock", "wrap and unwrap ANSI X9.143 (TR-31) key blocks", cmd_keyblock},
    {"cvv", "generate and verify CVV, CVV2 and iCVV", cmd_cvv},
    {"pvv", "generate and verify Visa PVVs and IBM 3624 offsets", cmd_pvv},
    {"admin", "administer a host: database, keys, merchants, terminals, cards, books", cmd_admin},
    {"item", "the terminal's catalog: add, edit, find, import and export items", cmd_item},
    {"stock", "stock movements: receive, adjust, count; quantities, low stock", cmd_stock},
    {"employee", "the terminal's staff: add, list, disable, login, unlock", cmd_employee},
    {"shift", "open and close a cashier shift with its cash float", cmd_shift},
    {"sale", "ring up a sale: items, discounts, tax, cash and card; void, refund, receipt", cmd_sale},
    {"promo", "the terminal's promotions: add, list, disable", cmd_promo},
    {"receipt", "render receipts as text (32/42/48 columns) or ESC/POS bytes", cmd_receipt},
    {"terminal", "the terminal's payment identity: init from a provisioning file, status", cmd_terminal},
    {"pay", "card payments: purchase, balance, pre-auth, completion, cancel", cmd_pay},
    {"void", "void a card payment of the open batch", cmd_void},
    {"refund", "refund a card payment by its RRN", cmd_refund},
    {"reversal", "send the pending reversals", cmd_reversal},
    {"saf", "upload the store-and-forward queue (offline approvals)", cmd_saf},
    {"settle", "settle the terminal's batch with the host", cmd_settle},
    {"report", "X and Z (day close) reports; sales by item, category, hour, employee, tender", cmd_report},
};

static void cli_usage(FILE *f)
{
    size_t i;

    fprintf(f, "usage: pos COMMAND [ARGS...]\n"
               "       pos COMMAND --help\n\n"
               "Results go to stdout (JSON for the codec and crypto commands), errors to\n"
               "stderr as `pos: <what>: <why>`. Exit status: 0 success, 1 declined or\n"
               "failed, 2 bad usage or bad input. Hex is uppercase on output and\n"
               "case-insensitive on input.\n\ncommands:\n");
    for (i = 0; i < sizeof(cli_cmds) / sizeof(cli_cmds[0]); i++)
        fprintf(f, "  %-10s %s\n", cli_cmds[i].name, cli_cmds[i].summary);
}

int main(int argc, char **argv)
{
    size_t i;

    if (argc < 2) {
        cli_usage(stderr);
        return CLI_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        cli_usage(stdout);
        return CLI_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        puts("pos 0.1.0");
        return CLI_OK;
    }
    if (pos_crypto_init() != 0)
        return cli_error(CLI_FAILED, "crypto", "cannot load OpenSSL's default provider");
    for (i = 0; i < sizeof(cli_cmds) / sizeof(cli_cmds[0]); i++)
        if (strcmp(argv[1], cli_cmds[i].name) == 0)
            return cli_cmds[i].run(argc - 1, argv + 1);
    return cli_error(CLI_USAGE, argv[1], "unknown command (see pos --help)");
}
