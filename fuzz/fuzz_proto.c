/*
 * fuzz_proto: posd's frame-and-dispatch path without the sockets: the bytes
 * of a TCP stream are cut into frames (2-byte big-endian prefix, 8192-byte
 * limit, as posd's default listeners do), each frame is parsed as a request
 * of every built-in dialect (proto_parse), its MAC checked under a fixed
 * key with both wire MAC algorithms, and a reply built and MACed — what
 * app_iso.c does before and after the database. Nothing may crash, read
 * out of bounds or leak; a reply must re-decode in its dialect.
 */
#include <stdint.h>
#include <string.h>

#include "error.h"
#include "host/frame.h"
#include "host/proto.h"
#include "iso8583.h"

static const uint8_t fuzz_key[16] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF,
                                     0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10};

static void fuzz_frame(const uint8_t *frame, size_t len)
{
    static const char *const dialects[] = {"cup", "iso87a", "iso87b"};
    static const enum mac_alg algs[] = {MAC_CUP_ECB, MAC_ISO9797_ALG3};
    struct proto_req r;
    struct proto_reply rp;
    struct proto_mac mac;
    struct iso8583_msg back;
    uint8_t out[PROTO_REPLY_MAX];
    char rc[3], desc[200];
    size_t i, n = 0;

    for (i = 0; i < 3; i++) {
        const struct iso8583_dialect *d = iso8583_dialect_find(dialects[i]);
        if (proto_parse(d, frame, len, &r, rc, NULL) != POS_OK)
            continue;
        proto_req_describe(&r, desc, sizeof(desc));
        mac = (struct proto_mac){algs[i % 2], fuzz_key, 16, NULL};
        (void)proto_mac_verify(&r, frame, &mac);
        memset(&rp, 0, sizeof(rp));
        memcpy(rp.rc, rc[0] ? rc : "00", 3);
        rp.rrn = "000000000042";
        rp.auth_code = "123456";
        rp.has_balance = true;
        rp.balance = -12345;
        rp.currency = 156;
        rp.has_settle = true;
        rp.batch_no = 7;
        if (proto_reply_encode(&r, &rp, &mac, out, sizeof(out), &n) == POS_OK &&
            iso8583_decode(d, out, n, &back, NULL) != POS_OK)
            __builtin_trap(); /* a reply posd builds must decode */
        proto_req_clear(&r);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t off = 0, pre = 0, msg = 0;

    while (off < size &&
           frame_decode(FRAME_2BE, 8192, data + off, size - off, &pre, &msg) == POS_OK &&
           pre > 0) {
        if (msg > size - off - pre)
            break;
        fuzz_frame(data + off + pre, msg);
        off += pre + msg;
    }
    return 0;
}
