/* error: messages and names for enum pos_err, and error details. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const pos__err_msgs[POS__ERR_COUNT] = {
#define POS__ERR_MSG(name, msg) msg,
    POS_ERRORS(POS__ERR_MSG)
#undef POS__ERR_MSG
};

static const char *const pos__err_names[POS__ERR_COUNT] = {
#define POS__ERR_NAME(name, msg) #name,
    POS_ERRORS(POS__ERR_NAME)
#undef POS__ERR_NAME
};

const char *pos_strerror(int code)
{
    if (code > 0 || code <= -(int)POS__ERR_COUNT)
        return "unknown error";
    return pos__err_msgs[-code];
}

const char *pos_errname(int code)
{
    if (code > 0 || code <= -(int)POS__ERR_COUNT)
        return "POS_ERR_UNKNOWN";
    return pos__err_names[-code];
}

void pos_errdetail_init(struct pos_errdetail *d)
{
    if (d == NULL)
        return;
    d->field = -1;
    d->offset = POS_NO_OFFSET;
    d->what[0] = '\0';
}

int pos_errdetail_set(struct pos_errdetail *d, int code, int field, size_t offset,
                      const char *fmt, ...)
{
    va_list ap;

    if (d == NULL)
        return code;
    d->field = field;
    d->offset = offset;
    d->what[0] = '\0';
    if (fmt != NULL) {
        va_start(ap, fmt);
        vsnprintf(d->what, sizeof(d->what), fmt, ap);
        va_end(ap);
    }
    return code;
}

char *pos_errdetail_format(int code, const struct pos_errdetail *d, char *buf, size_t cap)
{
    size_t n = 0;
    int w;

    if (cap == 0)
        return buf;
    w = snprintf(buf, cap, "%s", pos_strerror(code));
    n = w < 0 ? 0 : (size_t)w;
    if (d != NULL && d->field >= 0 && n < cap) {
        w = snprintf(buf + n, cap - n, " (field %d)", d->field);
        n += w < 0 ? 0 : (size_t)w;
    }
    if (d != NULL && d->offset != POS_NO_OFFSET && n < cap) {
        w = snprintf(buf + n, cap - n, " at offset %zu", d->offset);
        n += w < 0 ? 0 : (size_t)w;
    }
    if (d != NULL && d->what[0] != '\0' && n < cap)
        snprintf(buf + n, cap - n, ": %s", d->what);
    return buf;
}
