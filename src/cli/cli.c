/* cli: shared helpers of the pos command line. */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "hex.h"
#include "mem.h"

int cli_error(int exit_code, const char *what, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "pos: %s: ", what);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return exit_code;
}

int cli_error_pos(int exit_code, const char *what, int pos_code, const struct pos_errdetail *d)
{
    char buf[256];

    pos_errdetail_format(pos_code, d, buf, sizeof(buf));
    return cli_error(exit_code, what, "%s", buf);
}

int cli_read_stdin(const char *what, bool hex, uint8_t **buf, size_t *len)
{
    uint8_t *data = NULL;
    size_t n = 0, cap = 4096, i, m = 0;
    int rc = CLI_USAGE;

    data = malloc(cap);
    if (data == NULL)
        return cli_error(CLI_FAILED, what, "out of memory");
    for (;;) {
        size_t got;
        if (n == cap) {
            uint8_t *nd;
            if (cap >= CLI_MAX_INPUT) {
                cli_error(CLI_USAGE, what, "input larger than %u bytes", CLI_MAX_INPUT);
                goto out;
            }
            nd = realloc(data, cap * 2);
            if (nd == NULL) {
                rc = cli_error(CLI_FAILED, what, "out of memory");
                goto out;
            }
            data = nd;
            cap *= 2;
        }
        got = fread(data + n, 1, cap - n, stdin);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(stdin)) {
        cli_error(CLI_USAGE, what, "cannot read standard input");
        goto out;
    }
    if (hex) {
        /* compact the hex digits in place, skipping whitespace */
        for (i = 0; i < n; i++) {
            if (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' || data[i] == '\t')
                continue;
            if (pos_hex_value((char)data[i]) < 0) {
                cli_error(CLI_USAGE, what, "invalid hex character at input offset %zu", i);
                goto out;
            }
            data[m++] = data[i];
        }
        if (m % 2 != 0) {
            cli_error(CLI_USAGE, what, "odd number of hex digits (%zu)", m);
            goto out;
        }
        if (pos_hex_decode((const char *)data, m, data, m, &n) != POS_OK) {
            cli_error(CLI_USAGE, what, "invalid hex");
            goto out;
        }
    }
    *buf = data;
    *len = n;
    data = NULL;
    rc = CLI_OK;
out:
    free(data);
    return rc;
}

int cli_hex_arg(const char *what, const char *opt, const char *hex, uint8_t *out, size_t cap,
                size_t *out_len)
{
    size_t len = strlen(hex);
    int rc = pos_hex_decode(hex, len, out, cap, out_len);

    if (rc == POS_ERR_NOSPACE)
        return cli_error(CLI_USAGE, what, "%s: too long (at most %zu bytes)", opt, cap);
    if (rc != POS_OK)
        return cli_error(CLI_USAGE, what, "%s: invalid hex (%zu characters)", opt, len);
    return CLI_OK;
}

json_t *cli_json_hex(const uint8_t *buf, size_t len)
{
    char *s;
    json_t *j;

    s = malloc(2 * len + 1);
    if (s == NULL)
        return NULL;
    pos_hex_encode(buf, len, s, 2 * len + 1);
    j = json_stringn(s, 2 * len);
    pos_wipe(s, 2 * len + 1);
    free(s);
    return j;
}

int cli_print_json(json_t *j)
{
    char *s;

    if (j == NULL)
        return cli_error(CLI_FAILED, "json", "out of memory");
    s = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(j);
    if (s == NULL)
        return cli_error(CLI_FAILED, "json", "out of memory");
    fputs(s, stdout);
    fputc('\n', stdout);
    free(s);
    return CLI_OK;
}

bool cli_wants_help(int argc, char **argv)
{
    int i;

    for (i = 1; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return true;
    return false;
}
