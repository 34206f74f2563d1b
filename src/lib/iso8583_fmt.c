/*
 * iso8583_fmt: the one-line log formatter.
 *
 * What never appears in clear (DESIGN.md §8, STYLE.md rule 11; PCI DSS v4.0
 * req. 3.3 and 3.4.1): the PAN is masked to its first 6 and last 4 digits
 * (card_pan_mask), and fields the dialect marks ISO8583_LOG_HIDE — track
 * 1/2/3 (45, 35, 36), the PIN block (52), security control information (53),
 * chip data (55), MACs (64, 128), key material (96; 62 in cup) — show only
 * their length. Scratch copies of field values are wiped before return.
 */
#include "iso8583.h"

#include <stdio.h>
#include <string.h>

#include "error.h"
#include "iso8583_int.h"
#include "mem.h"

struct line {
    char *out;
    size_t cap;
    size_t n;
    bool cut;
};

/* Appends len bytes of s, or marks the line cut when they do not fit
 * (keeping room for "..." and the NUL). */
static void put(struct line *l, const char *s, size_t len)
{
    if (l->cut)
        return;
    if (l->cap < 4 || len > l->cap - 4 - l->n) {
        l->cut = true;
        return;
    }
    memcpy(l->out + l->n, s, len);
    l->n += len;
}

static void put_field(struct line *l, const struct iso8583_msg *m, int k, char *tmp, size_t tcap)
{
    const struct iso8583_field_def *f = &m->d->f[k];
    char head[32];
    int w;
    size_t n = 0;

    if (f->log == ISO8583_LOG_HIDE) {
        w = snprintf(head, sizeof(head), " %d=[%zu]", k, iso8583_field_len(m, k));
        put(l, head, (size_t)w);
        return;
    }
    w = snprintf(head, sizeof(head), " %d=", k);
    put(l, head, (size_t)w);
    if (iso8583_get_text(m, k, tmp, tcap, &n) != POS_OK) {
        put(l, "[?]", 3);
        return;
    }
    if (f->log == ISO8583_LOG_PAN) {
        char masked[2 * 19 + 1];
        if (n > 2 * 19) {
            w = snprintf(head, sizeof(head), "[%zu]", n);
            put(l, head, (size_t)w);
        } else {
            iso8583__mask_pan(tmp, n, masked, sizeof(masked));
            put(l, masked, strlen(masked));
        }
        pos_wipe(masked, sizeof(masked));
    } else {
        put(l, tmp, n);
    }
    pos_wipe(tmp, n);
}

int iso8583_format_log(const struct iso8583_msg *m, char *out, size_t cap)
{
    struct line l = {out, cap, 0, false};
    char tmp[2 * ISO8583_MAX_LEN + 1];
    int k;

    if (out == NULL || cap == 0)
        return POS_ERR_NOSPACE;
    put(&l, m->mti, 4);
    for (k = iso8583_next(m, 1); k != 0 && !l.cut; k = iso8583_next(m, k))
        put_field(&l, m, k, tmp, sizeof(tmp));
    if (l.cut) {
        size_t at = l.n;
        if (cap < 4) {
            out[0] = '\0';
            return POS_ERR_NOSPACE;
        }
        if (at > cap - 4)
            at = cap - 4;
        memcpy(out + at, "...", 4);
        return POS_ERR_NOSPACE;
    }
    out[l.n] = '\0';
    return POS_OK;
}
