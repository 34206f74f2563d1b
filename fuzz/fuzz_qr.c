/* fuzz_qr: EMVCo QR decode -> encode -> decode, compared.
 *
 * Any input: qr_decode must not crash. When it decodes (CRC right, or
 * wrong but the structure sound) and the encoder accepts the elements
 * (they are compliant), decoding the encoder's output must succeed and give
 * the same elements (ID 63 aside, which is recomputed), and re-encoding must
 * give the same bytes. When the input's own CRC was right and written in
 * uppercase, the encoder must reproduce the input byte for byte. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "qr.h"

static struct qr_elem e1[QR_ELEMS_MAX], e2[QR_ELEMS_MAX];
static uint8_t out1[QR_PAYLOAD_BUF], out2[QR_PAYLOAD_BUF];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_check(bool ok)
{
    if (!ok)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct qr_info i1, i2;
    size_t n1 = 0, n2 = 0, a, b;
    int rc;

    rc = qr_decode(data, size, e1, QR_ELEMS_MAX, &i1, NULL);
    if (rc != POS_OK && rc != POS_ERR_QR_CRC)
        return 0;
    fuzz_check(i1.count <= QR_ELEMS_MAX);
    if (qr_encode(e1, i1.count, out1, sizeof(out1), &n1, NULL) != POS_OK)
        return 0;
    fuzz_check(n1 < sizeof(out1) && out1[n1] == 0);
    fuzz_check(qr_decode(out1, n1, e2, QR_ELEMS_MAX, &i2, NULL) == POS_OK);
    fuzz_check(i2.crc_ok && i2.missing_count == 0);
    /* same elements in the same order, 63 aside */
    for (a = 0, b = 0; a < i1.count || b < i2.count;) {
        if (a < i1.count && e1[a].depth == 0 && e1[a].id == 63) {
            a++;
            continue;
        }
        if (b < i2.count && e2[b].depth == 0 && e2[b].id == 63) {
            b++;
            continue;
        }
        fuzz_check(a < i1.count && b < i2.count);
        fuzz_check(e1[a].id == e2[b].id && e1[a].depth == e2[b].depth &&
                   e1[a].is_template == e2[b].is_template && e1[a].children == e2[b].children &&
                   e1[a].path == e2[b].path);
        if (!e1[a].is_template)
            fuzz_check(e1[a].value_len == e2[b].value_len &&
                       memcmp(e1[a].value, e2[b].value, e1[a].value_len) == 0);
        a++;
        b++;
    }
    fuzz_check(qr_encode(e2, i2.count, out2, sizeof(out2), &n2, NULL) == POS_OK);
    fuzz_check(n1 == n2 && memcmp(out1, out2, n1) == 0);
    if (rc == POS_OK && i1.crc_present && size >= 4 && memchr(data + size - 4, 'a', 4) == NULL &&
        memchr(data + size - 4, 'b', 4) == NULL && memchr(data + size - 4, 'c', 4) == NULL &&
        memchr(data + size - 4, 'd', 4) == NULL && memchr(data + size - 4, 'e', 4) == NULL &&
        memchr(data + size - 4, 'f', 4) == NULL)
        fuzz_check(n1 == size && memcmp(out1, data, size) == 0);
    return 0;
}
