/* frame: length-prefix framing of messages on a stream (see frame.h). */
#include "frame.h"

#include <string.h>

#include "error.h"

static const char *const frame_names[] = {"2be", "4be", "4ascii"};

int frame_kind_parse(const char *s, enum frame_kind *out)
{
    size_t i;

    for (i = 0; i < sizeof(frame_names) / sizeof(frame_names[0]); i++) {
        if (strcmp(s, frame_names[i]) == 0) {
            *out = (enum frame_kind)i;
            return POS_OK;
        }
    }
    return POS_ERR_INVAL;
}

const char *frame_kind_name(enum frame_kind k)
{
    return (unsigned)k <= FRAME_4ASCII ? frame_names[k] : "unknown";
}

size_t frame_prefix_len(enum frame_kind k)
{
    return k == FRAME_2BE ? 2 : 4;
}

size_t frame_kind_max(enum frame_kind k)
{
    switch (k) {
    case FRAME_2BE:
        return 0xFFFFu;
    case FRAME_4BE:
        return 0xFFFFFFFFu;
    default:
        return 9999u;
    }
}

int frame_decode(enum frame_kind k, size_t limit, const uint8_t *buf, size_t len,
                 size_t *prefix_len, size_t *msg_len)
{
    size_t plen = frame_prefix_len(k), n = 0, i;

    *prefix_len = plen;
    *msg_len = 0;
    if (len < plen)
        return POS_ERR_TRUNCATED;
    if (k == FRAME_2BE) {
        n = ((size_t)buf[0] << 8) | buf[1];
    } else if (k == FRAME_4BE) {
        n = ((size_t)buf[0] << 24) | ((size_t)buf[1] << 16) | ((size_t)buf[2] << 8) | buf[3];
    } else {
        for (i = 0; i < 4; i++) {
            if (buf[i] < '0' || buf[i] > '9')
                return POS_ERR_FRAME;
            n = n * 10 + (size_t)(buf[i] - '0');
        }
    }
    *msg_len = n;
    if (n > limit)
        return POS_ERR_FRAME;
    /* len >= plen here, so len - plen cannot wrap (STYLE.md rule 6). */
    if (n > len - plen)
        return POS_ERR_TRUNCATED;
    return POS_OK;
}

int frame_encode_prefix(enum frame_kind k, size_t msg_len, uint8_t *out, size_t cap,
                        size_t *out_len)
{
    size_t plen = frame_prefix_len(k), i, v = msg_len;

    *out_len = 0;
    if (msg_len > frame_kind_max(k))
        return POS_ERR_LENGTH;
    if (cap < plen)
        return POS_ERR_NOSPACE;
    if (k == FRAME_4ASCII) {
        for (i = 4; i-- > 0; v /= 10)
            out[i] = (uint8_t)('0' + v % 10);
    } else {
        for (i = plen; i-- > 0; v >>= 8)
            out[i] = (uint8_t)(v & 0xFF);
    }
    *out_len = plen;
    return POS_OK;
}
