/* receiptout: render and write a receipt (receiptout.h). */
#include "receiptout.h"

#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "escpos.h"

#define RECEIPTOUT_MIN (64u * 1024u)
#define RECEIPTOUT_MAX (16u * 1024u * 1024u)

/* Text mode with GB18030: the whole text converted (at most twice the
 * UTF-8 bytes). */
static int receiptout_gb18030(uint8_t **buf, size_t *len)
{
    size_t cap = *len * 2 + 1, n = 0;
    uint8_t *gb = malloc(cap);
    int rc;

    if (gb == NULL)
        return POS_ERR_NOMEM;
    rc = escpos_gb18030_encode((const char *)*buf, *len, gb, cap, &n);
    if (rc != POS_OK) {
        free(gb);
        return rc;
    }
    free(*buf);
    *buf = gb;
    *len = n;
    return POS_OK;
}

int receiptout_render(const struct receipt *r, const struct receiptout_opts *o, uint8_t **buf,
                      size_t *len, struct pos_errdetail *d)
{
    struct escpos_options eo;
    size_t cap = RECEIPTOUT_MIN;
    int rc = POS_ERR_NOSPACE;

    escpos_options_init(&eo);
    eo.width = o->width;
    eo.enc = o->gb18030 ? ESCPOS_GB18030 : ESCPOS_UTF8;
    eo.drawer_kick = o->drawer;
    eo.cut = !o->no_cut;
    *buf = NULL;
    *len = 0;
    while (rc == POS_ERR_NOSPACE && cap <= RECEIPTOUT_MAX) {
        free(*buf);
        if ((*buf = malloc(cap)) == NULL)
            return POS_ERR_NOMEM;
        if (o->escpos)
            rc = escpos_render_receipt(r, &eo, *buf, cap, len, d);
        else
            rc = receipt_render_text(r, o->width, (char *)*buf, cap, len, d);
        cap *= 2;
    }
    if (rc == POS_OK && o->gb18030 && !o->escpos)
        rc = receiptout_gb18030(buf, len);
    return rc;
}

int receiptout_write(const char *what, const struct receiptout_opts *o, const uint8_t *buf,
                     size_t len)
{
    FILE *f = o->out == NULL ? stdout : fopen(o->out, "wb");
    int rc = CLI_OK;

    if (f == NULL)
        return cli_error(CLI_FAILED, what, "cannot open %s for writing", o->out);
    if (fwrite(buf, 1, len, f) != len || fflush(f) != 0)
        rc = cli_error(CLI_FAILED, what, "cannot write %s", o->out ? o->out : "standard output");
    if (o->out != NULL && fclose(f) != 0 && rc == CLI_OK)
        rc = cli_error(CLI_FAILED, what, "cannot write %s", o->out);
    return rc;
}
