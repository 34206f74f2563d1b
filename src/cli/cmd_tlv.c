/*
 * pos tlv: decode EMV BER-TLV data (ISO 8583 field 55, card responses) into
 * JSON (DESIGN.md §6; docs/tlv.md):
 *
 *   pos tlv decode [--hex] [--mask] < data
 *   -> [{"tag":"9F26","name":"Application Cryptogram","value":"..."},
 *       {"tag":"70","name":"...","children":[...]}]
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "emv_tags.h"
#include "error.h"
#include "mem.h"
#include "tlv.h"

static void tlv_cli_usage(FILE *f)
{
    fputs("usage: pos tlv decode [--hex] [--mask] < data\n"
          "\n"
          "Decodes EMV BER-TLV data (EMV 4.4 Book 3 Annex B) from standard input and\n"
          "prints it as JSON: one object per data object with \"tag\", \"name\" (when\n"
          "the EMV dictionary knows the tag) and \"value\" (uppercase hex) or, for a\n"
          "constructed object (70, 77, 6F, A5, BF0C, E1 ...), \"children\".\n"
          "\n"
          "  --hex    standard input is hex text (whitespace ignored), not bytes\n"
          "  --mask   mask sensitive values: PAN (5A), track data (56, 57, 9F6B,\n"
          "           9F1F, 9F20) and PIN data (99); masked objects get \"masked\":true\n"
          "\n"
          "Padding bytes 00 and FF between objects are skipped. Exit status: 0\n"
          "decoded, 2 bad input (the error names the offset and the tag).\n",
          f);
}

/* Appends the JSON for each object of it (and their children) to arr. */
static int tlv_cli_level(struct tlv_iter *it, bool mask, json_t *arr, struct pos_errdetail *d)
{
    struct tlv t;
    int r;

    while ((r = tlv_iter_next(it, &t, d)) == 1) {
        char tag[TLV_TAG_TEXT_CAP];
        const char *name = emv_tags_name(tlv_tag(&t));
        json_t *obj = json_object();

        if (obj == NULL || json_array_append_new(arr, obj) != 0)
            return POS_ERR_NOMEM;
        tlv_tag_format(tlv_tag(&t), tag, sizeof(tag));
        json_object_set_new(obj, "tag", json_string(tag));
        if (name != NULL)
            json_object_set_new(obj, "name", json_string(name));
        if (tlv_is_constructed(&t)) {
            struct tlv_iter child;
            json_t *kids = json_array();
            if (kids == NULL || json_object_set_new(obj, "children", kids) != 0)
                return POS_ERR_NOMEM;
            r = tlv_iter_children(it, &t, &child, d);
            if (r == POS_OK)
                r = tlv_cli_level(&child, mask, kids, d);
            if (r != POS_OK)
                return r;
        } else {
            size_t cap = 2 * tlv_len(&t) + 1, n = 0;
            char *text = malloc(cap);
            bool masked = false;
            if (text == NULL)
                return POS_ERR_NOMEM;
            r = emv_tags_format_value(tlv_tag(&t), tlv_value(&t), tlv_len(&t), mask, text, cap, &n,
                                      &masked);
            if (r == POS_OK) {
                json_object_set_new(obj, "value", json_stringn(text, n));
                if (masked)
                    json_object_set_new(obj, "masked", json_true());
            }
            pos_wipe(text, cap);
            free(text);
            if (r != POS_OK)
                return r;
        }
    }
    return r < 0 ? r : POS_OK;
}

static int tlv_cli_decode(int argc, char **argv)
{
    static const struct option opts[] = {{"hex", no_argument, NULL, 'x'},
                                         {"mask", no_argument, NULL, 'm'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    struct pos_errdetail d;
    struct tlv_iter it;
    uint8_t *buf = NULL;
    size_t len = 0;
    bool hex = false, mask = false;
    json_t *arr = NULL;
    int c, rc;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        switch (c) {
        case 'x':
            hex = true;
            break;
        case 'm':
            mask = true;
            break;
        case 'h':
            tlv_cli_usage(stdout);
            return CLI_OK;
        default:
            return cli_error(CLI_USAGE, "tlv", "decode: unknown option %s (see pos tlv --help)",
                             argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_error(CLI_USAGE, "tlv",
                         "decode: unexpected argument %s (input is read "
                         "from standard input)",
                         argv[optind]);
    rc = cli_read_stdin("tlv", hex, &buf, &len);
    if (rc != CLI_OK)
        goto out;
    arr = json_array();
    if (arr == NULL) {
        rc = cli_error(CLI_FAILED, "tlv", "out of memory");
        goto out;
    }
    pos_errdetail_init(&d);
    tlv_iter_init(&it, buf, len);
    rc = tlv_cli_level(&it, mask, arr, &d);
    if (rc == POS_ERR_NOMEM) {
        rc = cli_error(CLI_FAILED, "tlv", "out of memory");
        goto out;
    }
    if (rc != POS_OK) {
        rc = cli_error_pos(CLI_USAGE, "tlv", rc, &d);
        goto out;
    }
    rc = cli_print_json(arr);
    arr = NULL;
out:
    json_decref(arr);
    if (buf != NULL) {
        pos_wipe(buf, len);
        free(buf);
    }
    return rc;
}

int cmd_tlv(int argc, char **argv)
{
    if (argc < 2)
        return cli_error(CLI_USAGE, "tlv",
                         "missing subcommand (usage: pos tlv decode [--hex] "
                         "[--mask] < data)");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        tlv_cli_usage(stdout);
        return CLI_OK;
    }
    if (strcmp(argv[1], "decode") == 0)
        return tlv_cli_decode(argc - 1, argv + 1);
    return cli_error(CLI_USAGE, "tlv", "unknown subcommand %s (see pos tlv --help)", argv[1]);
}
