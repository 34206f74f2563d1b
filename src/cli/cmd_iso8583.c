/*
 * pos iso8583: pack and unpack ISO 8583 messages (DESIGN.md §6).
 *
 *   pos iso8583 unpack --dialect D [--hex] [--mask] < message
 *       -> {"mti":"0200","tpdu":..,"header":..,"fields":{"2":"..",..}}
 *   pos iso8583 pack --dialect D [--hex] < json  -> the message bytes
 *   pos iso8583 demo  -> a purchase packed in each built-in dialect
 *
 * D is a built-in dialect (iso87a, iso87b, cup) or the path of a dialect
 * file (docs/iso8583.md). Field values are strings: n, an, ans, z, x+n as
 * their characters, b as uppercase hex. "tpdu" and "header" appear when the
 * dialect has them.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "card.h"
#include "cli.h"
#include "dialect_file.h"
#include "error.h"
#include "hex.h"
#include "iso8583.h"
#include "mem.h"

#define WHAT     "iso8583"
#define OUT_MAX  (4u << 20) /* largest message pack writes */
#define TEXT_MAX (2 * ISO8583_MAX_LEN + 1)

static void usage(FILE *f)
{
    fprintf(f, "usage: pos iso8583 unpack --dialect D [--hex] [--mask] < message\n"
               "       pos iso8583 pack --dialect D [--hex] < json\n"
               "       pos iso8583 demo\n\n"
               "unpack  decodes a message from stdin (raw bytes, or hex text with --hex) and\n"
               "        prints {\"mti\":..,\"tpdu\":..,\"header\":..,\"fields\":{\"2\":..,..}};\n"
               "        --mask masks the PAN (first 6, last 4) and hides track data, PIN\n"
               "        block, MACs and keys, as in logs.\n"
               "pack    encodes that JSON from stdin; writes the bytes (uppercase hex and a\n"
               "        newline with --hex).\n"
               "demo    packs a typical purchase (0200) in each built-in dialect and shows\n"
               "        the bytes and the masked decoded form.\n\n"
               "D: a built-in dialect (iso87a: jPOS ISO87APackager, iso87b: jPOS\n"
               "ISO87BPackager, cup: China UnionPay POS) or a dialect file path.\n"
               "Field values are strings: numeric and text fields as their characters,\n"
               "binary (b) fields as hex. Exit 0 ok, 2 bad usage or bad input.\n");
}

/* The dialect named by arg: built-in, else a file (*owned is then set). */
static int load_dialect(const char *arg, const struct iso8583_dialect **d,
                        struct iso8583_dialect **owned)
{
    struct pos_errdetail det;
    int rc;

    *owned = NULL;
    *d = iso8583_dialect_find(arg);
    if (*d != NULL)
        return CLI_OK;
    pos_errdetail_init(&det);
    rc = dialect_file_load(arg, owned, &det);
    if (rc == POS_ERR_IO)
        return cli_error(CLI_USAGE, WHAT,
                         "unknown dialect '%s' (built-in: iso87a, iso87b, cup; or a dialect file)",
                         arg);
    if (rc != POS_OK) {
        char buf[256];
        pos_errdetail_format(rc, &det, buf, sizeof(buf));
        return cli_error(CLI_USAGE, WHAT, "dialect file %s: %s", arg, buf);
    }
    *d = *owned;
    return CLI_OK;
}

/* Parses the options of pack/unpack. Returns CLI_OK, or an exit code
 * (help printed: *done set). */
static int parse_opts(int argc, char **argv, const char **dialect, bool *hex, bool *mask,
                      bool allow_mask, bool *done)
{
    static const struct option opts[] = {
        {"dialect", required_argument, NULL, 'd'},
        {"hex", no_argument, NULL, 'x'},
        {"mask", no_argument, NULL, 'm'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;

    *done = false;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "d:xmh", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            *dialect = optarg;
            break;
        case 'x':
            *hex = true;
            break;
        case 'm':
            if (!allow_mask)
                return cli_error(CLI_USAGE, WHAT, "--mask applies to unpack only");
            *mask = true;
            break;
        case 'h':
            usage(stdout);
            *done = true;
            return CLI_OK;
        default:
            return cli_error(CLI_USAGE, WHAT, "unknown or incomplete option '%s' (see --help)",
                             argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_error(CLI_USAGE, WHAT, "unexpected argument '%s'", argv[optind]);
    if (*dialect == NULL)
        return cli_error(CLI_USAGE, WHAT, "--dialect is required (iso87a, iso87b, cup or a file)");
    return CLI_OK;
}

static json_t *field_json(const struct iso8583_msg *m, int k, bool mask, char *txt)
{
    const struct iso8583_field_def *f = &m->d->f[k];
    size_t n = 0;
    json_t *j;

    if (mask && f->log == ISO8583_LOG_HIDE) {
        char buf[48];
        snprintf(buf, sizeof(buf), "[%zu hidden]", iso8583_field_len(m, k));
        return json_string(buf);
    }
    if (iso8583_get_text(m, k, txt, TEXT_MAX, &n) != POS_OK)
        return NULL;
    if (mask && f->log == ISO8583_LOG_PAN) {
        char masked[64];
        if (card_pan_mask(txt, n, masked, sizeof(masked)) != POS_OK)
            snprintf(masked, sizeof(masked), "[%zu hidden]", n);
        pos_wipe(txt, n);
        return json_string(masked);
    }
    j = json_stringn(txt, n);
    pos_wipe(txt, n);
    return j;
}

/* {"mti":..,"tpdu":..,"header":..,"fields":{..}}; NULL on out of memory. */
static json_t *msg_json(const struct iso8583_msg *m, bool mask)
{
    json_t *root = json_object(), *fields = json_object();
    char *txt = malloc(TEXT_MAX);
    const uint8_t *p;
    size_t n;
    int k, bad = root == NULL || fields == NULL || txt == NULL;

    if (!bad)
        bad |= json_object_set_new(root, "mti", json_string(iso8583_get_mti(m)));
    p = iso8583_get_tpdu(m, &n);
    if (!bad && n > 0)
        bad |= json_object_set_new(root, "tpdu", cli_json_hex(p, n));
    p = iso8583_get_header(m, &n);
    if (!bad && n > 0)
        bad |= json_object_set_new(root, "header", cli_json_hex(p, n));
    for (k = iso8583_next(m, 1); !bad && k != 0; k = iso8583_next(m, k)) {
        char key[8];
        snprintf(key, sizeof(key), "%d", k);
        bad |= json_object_set_new(fields, key, field_json(m, k, mask, txt));
    }
    if (!bad) {
        bad |= json_object_set_new(root, "fields", fields);
        fields = NULL;
    }
    if (txt != NULL)
        pos_wipe(txt, TEXT_MAX);
    free(txt);
    json_decref(fields);
    if (bad) {
        json_decref(root);
        return NULL;
    }
    return root;
}

static int cmd_unpack(int argc, char **argv)
{
    const char *dname = NULL;
    bool hex = false, mask = false, done;
    const struct iso8583_dialect *d = NULL;
    struct iso8583_dialect *owned = NULL;
    struct iso8583_msg m;
    struct pos_errdetail det;
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc, prc;

    rc = parse_opts(argc, argv, &dname, &hex, &mask, true, &done);
    if (rc != CLI_OK || done)
        return rc;
    rc = load_dialect(dname, &d, &owned);
    if (rc != CLI_OK)
        goto out;
    rc = cli_read_stdin(WHAT, hex, &buf, &len);
    if (rc != CLI_OK)
        goto out;
    pos_errdetail_init(&det);
    prc = iso8583_decode(d, buf, len, &m, &det);
    if (prc != POS_OK) {
        rc = cli_error_pos(CLI_USAGE, WHAT, prc, &det);
        goto out;
    }
    rc = cli_print_json(msg_json(&m, mask));
out:
    if (buf != NULL)
        pos_wipe(buf, len);
    free(buf);
    dialect_file_free(owned);
    return rc;
}

/* Sets field key = value (a JSON string) on m; b values are hex-decoded into
 * *scratch (a heap buffer the caller frees). */
static int pack_field(struct iso8583_msg *m, const char *key, json_t *val, uint8_t **scratch)
{
    const struct iso8583_field_def *f;
    const char *s;
    size_t slen, n = 0;
    int k, rc;
    uint64_t num = 0;

    if (strlen(key) > 3 || key[0] == '0' ||
        pos_parse_digits_u64(key, strlen(key), &num) != POS_OK || num < 2 ||
        num > ISO8583_MAX_FIELD)
        return cli_error(CLI_USAGE, WHAT, "fields: key '%.8s' is not a field number 2..128", key);
    k = (int)num;
    if (!json_is_string(val))
        return cli_error(CLI_USAGE, WHAT, "field %d: value must be a string", k);
    s = json_string_value(val);
    slen = json_string_length(val);
    f = &m->d->f[k];
    if (f->type == ISO8583_T_NONE)
        return cli_error(CLI_USAGE, WHAT, "field %d: not defined in dialect %s", k, m->d->name);
    if (f->type == ISO8583_T_B) {
        *scratch = malloc(slen / 2 + 1);
        if (*scratch == NULL)
            return cli_error(CLI_FAILED, WHAT, "out of memory");
        if (pos_hex_decode(s, slen, *scratch, slen / 2 + 1, &n) != POS_OK)
            return cli_error(CLI_USAGE, WHAT, "field %d: binary value must be hex (%zu chars)", k,
                             slen);
        s = (const char *)*scratch;
        slen = n;
    }
    rc = iso8583_set(m, k, s, slen);
    if (rc == POS_ERR_ISO_FIELD_LENGTH)
        return cli_error(CLI_USAGE, WHAT, "field %d: length %zu, %s %u", k, slen,
                         f->var == 0 ? "fixed length" : "maximum", (unsigned)f->max);
    if (rc != POS_OK)
        return cli_error_pos(CLI_USAGE, WHAT, rc, NULL);
    return CLI_OK;
}

static int pack_hdr(struct iso8583_msg *m, json_t *root, const char *name, uint8_t *buf,
                    size_t expect)
{
    json_t *v = json_object_get(root, name);
    size_t n = 0;
    const char *s;

    if (v == NULL)
        return CLI_OK;
    if (!json_is_string(v))
        return cli_error(CLI_USAGE, WHAT, "%s: must be a hex string", name);
    s = json_string_value(v);
    if (pos_hex_decode(s, json_string_length(v), buf, ISO8583_MAX_HDR, &n) != POS_OK || n != expect)
        return cli_error(CLI_USAGE, WHAT, "%s: must be %zu bytes of hex for dialect %s", name,
                         expect, m->d->name);
    if (strcmp(name, "tpdu") == 0)
        iso8583_set_tpdu(m, buf, n);
    else
        iso8583_set_header(m, buf, n);
    return CLI_OK;
}

static int pack_json(struct iso8583_msg *m, json_t *root, uint8_t **scratch, uint8_t *tpdu,
                     uint8_t *hdr)
{
    const char *key;
    json_t *val, *fields, *mti;
    int rc;

    if (!json_is_object(root))
        return cli_error(CLI_USAGE, WHAT, "input must be a JSON object");
    json_object_foreach(root, key, val)
    {
        if (strcmp(key, "mti") != 0 && strcmp(key, "fields") != 0 && strcmp(key, "tpdu") != 0 &&
            strcmp(key, "header") != 0)
            return cli_error(CLI_USAGE, WHAT, "unknown key '%.32s' (mti, tpdu, header, fields)",
                             key);
    }
    mti = json_object_get(root, "mti");
    if (!json_is_string(mti) || iso8583_set_mti(m, json_string_value(mti)) != POS_OK)
        return cli_error(CLI_USAGE, WHAT, "mti: must be a string of 4 digits");
    rc = pack_hdr(m, root, "tpdu", tpdu, m->d->tpdu_len);
    if (rc == CLI_OK)
        rc = pack_hdr(m, root, "header", hdr, m->d->header_len);
    if (rc != CLI_OK)
        return rc;
    fields = json_object_get(root, "fields");
    if (!json_is_object(fields))
        return cli_error(CLI_USAGE, WHAT, "fields: must be an object");
    json_object_foreach(fields, key, val)
    {
        size_t i = 0;
        while (scratch[i] != NULL)
            i++;
        rc = pack_field(m, key, val, &scratch[i]);
        if (rc != CLI_OK)
            return rc;
    }
    return CLI_OK;
}

static int write_out(const uint8_t *out, size_t n, bool hex)
{
    size_t i;

    if (!hex) {
        if (fwrite(out, 1, n, stdout) != n)
            return cli_error(CLI_FAILED, WHAT, "cannot write the output");
        return CLI_OK;
    }
    for (i = 0; i < n; i++)
        printf("%02X", out[i]);
    putchar('\n');
    return CLI_OK;
}

static int cmd_pack(int argc, char **argv)
{
    const char *dname = NULL;
    bool hex = false, mask = false, done;
    const struct iso8583_dialect *d = NULL;
    struct iso8583_dialect *owned = NULL;
    struct iso8583_msg m;
    struct pos_errdetail det;
    uint8_t *in = NULL, *out = NULL, *scratch[ISO8583_MAX_FIELD + 1];
    uint8_t tpdu[ISO8583_MAX_HDR], hdr[ISO8583_MAX_HDR];
    size_t len = 0, n = 0, i;
    json_t *root = NULL;
    json_error_t jerr;
    int rc, prc;

    memset(scratch, 0, sizeof(scratch));
    rc = parse_opts(argc, argv, &dname, &hex, &mask, false, &done);
    if (rc != CLI_OK || done)
        return rc;
    rc = load_dialect(dname, &d, &owned);
    if (rc != CLI_OK)
        goto out;
    rc = cli_read_stdin(WHAT, false, &in, &len);
    if (rc != CLI_OK)
        goto out;
    root = json_loadb((const char *)in, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        rc = cli_error(CLI_USAGE, WHAT, "invalid JSON at line %d column %d: %s", jerr.line,
                       jerr.column, jerr.text);
        goto out;
    }
    iso8583_msg_init(&m, d);
    rc = pack_json(&m, root, scratch, tpdu, hdr);
    if (rc != CLI_OK)
        goto out;
    out = malloc(OUT_MAX);
    if (out == NULL) {
        rc = cli_error(CLI_FAILED, WHAT, "out of memory");
        goto out;
    }
    pos_errdetail_init(&det);
    prc = iso8583_encode(&m, out, OUT_MAX, &n, &det);
    if (prc != POS_OK) {
        rc = cli_error_pos(CLI_USAGE, WHAT, prc, &det);
        goto out;
    }
    rc = write_out(out, n, hex);
out:
    for (i = 0; i <= ISO8583_MAX_FIELD && scratch[i] != NULL; i++)
        free(scratch[i]);
    if (out != NULL)
        pos_wipe(out, n);
    free(out);
    json_decref(root);
    if (in != NULL)
        pos_wipe(in, len);
    free(in);
    dialect_file_free(owned);
    return rc;
}

/* ---- demo ---- */

struct demo_field {
    int fld;
    const char *value; /* text; b fields as hex */
};

/* A typical chip purchase with PIN (field 55: a few EMV tags). */
static const struct demo_field demo_fields[] = {
    {2, "6212345678901234"},
    {3, "000000"},
    {4, "000000012345"},
    {11, "000042"},
    {12, "143015"},
    {13, "1122"},
    {14, "2812"},
    {22, "051"},
    {23, "001"},
    {25, "00"},
    {26, "12"},
    {35, "6212345678901234=28122201234567890"},
    {41, "POS00001"},
    {42, "898310048990001"},
    {49, "156"},
    {52, "8F3A6B2C1D0E9F47"},
    {53, "2600000000000000"},
    {55, "9F2608A1B2C3D4E5F607189F2701809F101307010103A000000000000000000000000000009F37"
         "0412345678950500000000009A032611229C01009F02060000000123455F2A0201569F1A020156"},
    {60, "22000001000"},
    {64, "0000000000000000"},
    {0, NULL},
};

static int demo_one(const struct iso8583_dialect *d, uint8_t *out, size_t cap)
{
    struct iso8583_msg m, r;
    struct pos_errdetail det;
    uint8_t raw[ISO8583_MAX_FIELD + 1][128];
    char line[2048];
    size_t n = 0, i;
    int rc;

    iso8583_msg_init(&m, d);
    iso8583_set_mti(&m, "0200");
    for (i = 0; demo_fields[i].fld != 0; i++) {
        int k = demo_fields[i].fld;
        const char *v = demo_fields[i].value;
        size_t len = strlen(v);
        if (d->f[k].type == ISO8583_T_B) {
            if (pos_hex_decode(v, len, raw[k], sizeof(raw[k]), &len) != POS_OK)
                return cli_error(CLI_FAILED, WHAT, "demo: field %d", k);
            v = (const char *)raw[k];
        }
        rc = iso8583_set(&m, k, v, len);
        if (rc != POS_OK)
            return cli_error_pos(CLI_FAILED, WHAT, rc, NULL);
    }
    pos_errdetail_init(&det);
    rc = iso8583_encode(&m, out, cap, &n, &det);
    if (rc == POS_OK)
        rc = iso8583_decode(d, out, n, &r, &det);
    if (rc != POS_OK)
        return cli_error_pos(CLI_FAILED, WHAT, rc, &det);
    printf("== %s: 0200 purchase, %zu bytes\n", d->name, n);
    write_out(out, n, true);
    iso8583_format_log(&r, line, sizeof(line));
    printf("log:  %s\n", line);
    printf("json: ");
    fflush(stdout);
    rc = cli_print_json(msg_json(&r, true));
    putchar('\n');
    return rc;
}

static int cmd_demo(int argc, char **argv)
{
    uint8_t out[4096];
    size_t i;
    int rc = CLI_OK;

    if (cli_wants_help(argc, argv)) {
        usage(stdout);
        return CLI_OK;
    }
    if (argc > 1)
        return cli_error(CLI_USAGE, WHAT, "demo takes no arguments");
    printf("ISO 8583 demo: one card purchase (0200: PAN, amount, track 2, PIN block,\n"
           "chip data, MAC...) packed in each built-in dialect, then unpacked and shown\n"
           "masked, as pos logs it (PAN first 6 / last 4; track, PIN block, chip data and\n"
           "MAC as lengths only).\n\n");
    for (i = 0; rc == CLI_OK && iso8583_dialect_at(i) != NULL; i++)
        rc = demo_one(iso8583_dialect_at(i), out, sizeof(out));
    return rc;
}

int cmd_iso8583(int argc, char **argv)
{
    if (argc < 2)
        return cli_error(CLI_USAGE, WHAT, "missing subcommand: unpack, pack or demo (see --help)");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return CLI_OK;
    }
    if (strcmp(argv[1], "unpack") == 0)
        return cmd_unpack(argc - 1, argv + 1);
    if (strcmp(argv[1], "pack") == 0)
        return cmd_pack(argc - 1, argv + 1);
    if (strcmp(argv[1], "demo") == 0)
        return cmd_demo(argc - 1, argv + 1);
    return cli_error(CLI_USAGE, WHAT, "unknown subcommand '%s' (unpack, pack, demo)", argv[1]);
}
