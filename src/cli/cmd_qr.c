/* pos qr: decode and encode EMVCo merchant-presented QR payloads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "error.h"
#include "qr.h"

static const char qr_usage[] =
    "usage: pos qr decode [PAYLOAD]\n"
    "       pos qr encode < JSON\n"
    "\n"
    "EMVCo QR Code Specification for Payment Systems, Merchant-Presented Mode\n"
    "v1.1: ID (2 digits), length (2 digits, in characters), value; templates\n"
    "26-51, 62 (and its 50-99), 64 and 80-99 hold elements of their own; ID 63\n"
    "is the CRC-16/CCITT-FALSE of everything before its 4 hex characters.\n"
    "\n"
    "  decode  prints {\"elements\":[{\"id\":\"00\",\"name\":..,\"value\":\"01\"},\n"
    "          {\"id\":\"26\",\"name\":..,\"children\":[..]},..],\n"
    "          \"missing\":[..],\"crc_ok\":true}.\n"
    "          PAYLOAD defaults to standard input (one line). \"missing\" lists\n"
    "          absent mandatory elements (\"59\", \"26.00\", \"02-51\"); that is not an\n"
    "          error. A wrong CRC, a malformed element, 00 not first or data after\n"
    "          63 is (exit 2, naming the element and offset).\n"
    "  encode  reads {\"elements\":[..]} in the same shape (names are ignored, an\n"
    "          element 63 is ignored and computed) and prints the payload. Only\n"
    "          compliant payloads are written: anything else is exit 2 naming\n"
    "          the element.\n";

#define QR_CLI_ELEMS 512

/* JSON for the count elements from el[*i] on (one level), recursively. */
static json_t *qr_json_level(const struct qr_elem *el, size_t *i, size_t count, size_t items)
{
    json_t *arr = json_array();
    char id[4];
    size_t k;

    for (k = 0; arr != NULL && k < items && *i < count; k++) {
        const struct qr_elem *e = &el[(*i)++];
        const char *name = qr_elem_name(e->path);
        json_t *o = json_object();

        if (o == NULL) {
            json_decref(arr);
            return NULL;
        }
        snprintf(id, sizeof(id), "%02u", e->id % 100u);
        json_object_set_new(o, "id", json_string(id));
        if (name != NULL)
            json_object_set_new(o, "name", json_string(name));
        if (e->is_template)
            json_object_set_new(o, "children", qr_json_level(el, i, count, e->children));
        else
            json_object_set_new(o, "value", json_stringn((const char *)e->value, e->value_len));
        json_array_append_new(arr, o);
    }
    return arr;
}

static int qr_error(int rc, const struct pos_errdetail *d)
{
    char path[16];

    if (d->field >= 0 && d->offset != POS_NO_OFFSET)
        return cli_error(CLI_USAGE, "qr", "%s: element %s at offset %zu: %s", pos_strerror(rc),
                         qr_path_format(d->field, path, sizeof(path)), d->offset, d->what);
    if (d->field >= 0)
        return cli_error(CLI_USAGE, "qr", "%s: element %s: %s", pos_strerror(rc),
                         qr_path_format(d->field, path, sizeof(path)), d->what);
    if (d->offset != POS_NO_OFFSET)
        return cli_error(CLI_USAGE, "qr", "%s at offset %zu: %s", pos_strerror(rc), d->offset,
                         d->what);
    return cli_error(CLI_USAGE, "qr", "%s: %s", pos_strerror(rc), d->what);
}

static int qr_decode_cmd(const uint8_t *payload, size_t len)
{
    static struct qr_elem el[QR_CLI_ELEMS];
    struct pos_errdetail d;
    struct qr_info info;
    json_t *out, *missing;
    char path[16];
    size_t i = 0, k;
    int rc;

    pos_errdetail_init(&d);
    rc = qr_decode(payload, len, el, QR_CLI_ELEMS, &info, &d);
    if (rc == POS_ERR_QR_CRC)
        return cli_error(CLI_USAGE, "qr", "CRC mismatch: payload says %04X, computed %04X",
                         info.crc_stated, info.crc_computed);
    if (rc != POS_OK)
        return qr_error(rc, &d);
    out = json_object();
    missing = json_array();
    if (out == NULL || missing == NULL) {
        json_decref(out);
        json_decref(missing);
        return cli_print_json(NULL);
    }
    json_object_set_new(out, "elements", qr_json_level(el, &i, info.count, info.count));
    for (k = 0; k < info.missing_count && k < QR_MISSING_MAX; k++)
        json_array_append_new(missing,
                              json_string(qr_path_format(info.missing[k], path, sizeof(path))));
    json_object_set_new(out, "missing", missing);
    json_object_set_new(out, "crc_ok", json_boolean(info.crc_ok));
    return cli_print_json(out);
}

struct qr_build {
    struct qr_elem el[QR_CLI_ELEMS];
    size_t n;
};

/* Appends the elements of a JSON array (one level) to b. */
static int qr_from_json(struct qr_build *b, json_t *arr, unsigned depth, const char *where)
{
    size_t k;
    json_t *item;

    if (!json_is_array(arr))
        return cli_error(CLI_USAGE, "qr", "%s: expected an array of elements", where);
    json_array_foreach(arr, k, item)
    {
        json_t *jid = json_object_get(item, "id");
        json_t *jval = json_object_get(item, "value");
        json_t *jkids = json_object_get(item, "children");
        struct qr_elem *e;
        char at[64];
        long id = -1;
        size_t slot;
        int rc;

        snprintf(at, sizeof(at), "%s[%zu]", where, k);
        if (!json_is_object(item))
            return cli_error(CLI_USAGE, "qr", "%s: an element must be an object", at);
        if (json_is_string(jid) && json_string_length(jid) == 2 &&
            json_string_value(jid)[0] >= '0' && json_string_value(jid)[0] <= '9' &&
            json_string_value(jid)[1] >= '0' && json_string_value(jid)[1] <= '9')
            id = (json_string_value(jid)[0] - '0') * 10 + (json_string_value(jid)[1] - '0');
        else if (json_is_integer(jid) && json_integer_value(jid) >= 0 &&
                 json_integer_value(jid) <= 99)
            id = (long)json_integer_value(jid);
        if (id < 0)
            return cli_error(CLI_USAGE, "qr", "%s: \"id\" must be two digits \"00\"..\"99\"", at);
        if ((jval != NULL) == (jkids != NULL))
            return cli_error(CLI_USAGE, "qr",
                             "element %02ld: give either \"value\" or \"children\"", id);
        if (jval != NULL && !json_is_string(jval))
            return cli_error(CLI_USAGE, "qr", "element %02ld: \"value\" must be a string", id);
        if (b->n >= QR_CLI_ELEMS)
            return cli_error(CLI_USAGE, "qr", "more than %d elements", QR_CLI_ELEMS);
        slot = b->n++;
        e = &b->el[slot];
        memset(e, 0, sizeof(*e));
        e->id = (uint8_t)id;
        if (jval != NULL) {
            e->value = (const uint8_t *)json_string_value(jval);
            e->value_len = json_string_length(jval);
            continue;
        }
        if (depth >= QR_DEPTH_MAX)
            return cli_error(CLI_USAGE, "qr", "element %02ld: nested too deep", id);
        e->is_template = true;
        e->children = (uint16_t)json_array_size(jkids);
        snprintf(at, sizeof(at), "element %02ld", id);
        rc = qr_from_json(b, jkids, depth + 1, at);
        if (rc != CLI_OK)
            return rc;
    }
    return CLI_OK;
}

static int qr_encode_cmd(void)
{
    static struct qr_build b;
    static uint8_t out[QR_PAYLOAD_BUF];
    struct pos_errdetail d;
    json_error_t jerr;
    json_t *root = NULL, *arr;
    uint8_t *in = NULL;
    size_t len = 0, out_len = 0;
    int rc;

    rc = cli_read_stdin("qr", false, &in, &len);
    if (rc != CLI_OK)
        return rc;
    root = json_loadb((const char *)in, len, 0, &jerr);
    if (root == NULL) {
        rc = cli_error(CLI_USAGE, "qr", "invalid JSON at line %d column %d: %s", jerr.line,
                       jerr.column, jerr.text);
        goto out;
    }
    arr = json_is_array(root) ? root : json_object_get(root, "elements");
    b.n = 0;
    rc = qr_from_json(&b, arr, 0, "elements");
    if (rc != CLI_OK)
        goto out;
    pos_errdetail_init(&d);
    rc = qr_encode(b.el, b.n, out, sizeof(out), &out_len, &d);
    if (rc != POS_OK) {
        rc = qr_error(rc, &d);
        goto out;
    }
    fwrite(out, 1, out_len, stdout);
    fputc('\n', stdout);
    rc = CLI_OK;
out:
    json_decref(root);
    free(in);
    return rc;
}

int cmd_qr(int argc, char **argv)
{
    uint8_t *in = NULL;
    size_t len = 0;
    int rc;

    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(qr_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (strcmp(argv[1], "encode") == 0) {
        if (argc != 2)
            return cli_error(CLI_USAGE, "qr", "encode reads JSON from standard input only");
        return qr_encode_cmd();
    }
    if (strcmp(argv[1], "decode") != 0)
        return cli_error(CLI_USAGE, "qr", "unknown subcommand '%s' (see pos qr --help)", argv[1]);
    if (argc > 3)
        return cli_error(CLI_USAGE, "qr", "decode takes one PAYLOAD");
    if (argc == 3)
        return qr_decode_cmd((const uint8_t *)argv[2], strlen(argv[2]));
    rc = cli_read_stdin("qr", false, &in, &len);
    if (rc != CLI_OK)
        return rc;
    while (len > 0 && (in[len - 1] == '\n' || in[len - 1] == '\r'))
        len--;
    rc = qr_decode_cmd(in, len);
    free(in);
    return rc;
}
