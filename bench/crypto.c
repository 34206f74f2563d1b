/*
 * bench-crypto: PIN and MAC verification speed on one core (DESIGN.md §8:
 * one `name value unit` line per figure).
 *
 *   crypto.dukpt_pin_verify        a host verifying PINs from one terminal's
 *                                  sequence of DUKPT counters: per-terminal
 *                                  cache (struct dukpt_host) -> PIN key ->
 *                                  decipher the format 0 block -> extract
 *                                  the PIN -> Visa PVV check
 *   crypto.dukpt_pin_verify.cold   the same with no cache: the transaction
 *                                  key derived from the IPEK and every
 *                                  cipher context created per PIN
 *   crypto.dukpt_aes_pin_verify    AES DUKPT (AES-128) with its host cache,
 *                                  format 4 block, PVV check
 *   crypto.mac_verify.<alg>        verify the MAC of a 200-byte message on a
 *                                  reused context: x919, aes_cmac,
 *                                  tdes_cmac, cup_ecb, cup_sm4; the
 *                                  .legacy_des lines rerun the DES-based
 *                                  ones with OpenSSL's legacy provider
 *                                  loaded (plain single DES, see mac.h);
 *                                  crypto.dukpt_pin_verify.legacy_des too
 *
 * The device side (enciphering the PIN blocks) is done before timing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/provider.h>

#include "crypto/block.h"
#include "crypto/dukpt.h"
#include "crypto/dukpt_aes.h"
#include "crypto/mac.h"
#include "crypto/pinblock.h"
#include "crypto/pvv.h"
#include "error.h"
#include "mem.h"

#define NTXN        4096 /* transactions of the terminal, replayed */
#define RUN_SECONDS 1.0  /* minimum time per figure */

static const char PAN[] = "4012345678909";
static const char PIN[] = "1234";
static const uint8_t BDK[16] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF,
                                0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10};
static const uint8_t IKSN[10] = {0xFF, 0xFF, 0x98, 0x76, 0x54, 0x32, 0x10, 0xE0, 0, 0};
static const uint8_t AES_BDK[16] = {0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10,
                                    0xF1, 0xF1, 0xF1, 0xF1, 0xF1, 0xF1, 0xF1, 0xF1};
static const uint8_t AES_KSN[12] = {0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56, 0, 0, 0, 0};
static const uint8_t PVK[16] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF,
                                0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10};

struct txn {
    uint8_t ksn[DUKPT_AES_KSN_LEN];
    uint8_t block[PINBLOCK_MAX_LEN];
};

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, int rc)
{
    fprintf(stderr, "bench-crypto: %s: %s\n", what, pos_strerror(rc));
    exit(1);
}

/* Runs fn(arg, i) for i = 0, 1, ... in batches until RUN_SECONDS passed;
 * returns calls per second. fn returns POS_OK or an error (fatal). */
static double rate(int (*fn)(void *arg, long i), void *arg, const char *what)
{
    double t0 = now(), t;
    long n = 0, k;
    int rc;

    do {
        for (k = 0; k < 1000; k++, n++) {
            rc = fn(arg, n);
            if (rc != POS_OK)
                die(what, rc);
        }
        t = now() - t0;
    } while (t < RUN_SECONDS);
    return (double)n / t;
}

/* ---- DUKPT PIN verification ----------------------------------------------- */

struct pin_bench {
    struct txn *txns;
    struct dukpt_host host;
    struct dukpt_aes_host aes_host;
    struct pvv_key pvk;
    struct block_key aes_pin;
    uint8_t ipek[DUKPT_KEY_LEN];
    char pvv[PVV_LEN + 1];
};

/* The terminal side, untimed: NTXN PIN blocks from a device. */
static void make_tdes_txns(struct pin_bench *b)
{
    struct dukpt_device dev;
    struct block_key k;
    uint8_t key[DUKPT_KEY_LEN];
    size_t len, i;
    int rc;

    rc = dukpt_device_load(&dev, b->ipek, IKSN);
    if (rc != POS_OK)
        die("device load", rc);
    for (i = 0; i < NTXN; i++) {
        rc = dukpt_device_next(&dev, key, b->txns[i].ksn);
        if (rc == POS_OK)
            rc = dukpt_variant(key, DUKPT_USAGE_PIN, key);
        if (rc == POS_OK)
            rc = block_key_init(&k, BLOCK_TDES, key, sizeof(key));
        if (rc == POS_OK)
            rc = pinblock_encrypt(&k, PINBLOCK_ISO0, PIN, 4, PAN, strlen(PAN), b->txns[i].block,
                                  PINBLOCK_MAX_LEN, &len);
        block_key_clear(&k);
        if (rc != POS_OK)
            die("device transaction", rc);
    }
    dukpt_device_clear(&dev);
    pos_wipe(key, sizeof(key));
}

static int verify_pin(struct pin_bench *b, const char *pin, size_t pin_len)
{
    return pvv_visa_verify(&b->pvk, PAN, strlen(PAN), 1, pin, pin_len, b->pvv, PVV_LEN);
}

static int pin_hot(void *arg, long i)
{
    struct pin_bench *b = arg;
    const struct txn *t = &b->txns[i % NTXN];
    uint8_t clear[8];
    char pin[PINBLOCK_PIN_CAP];
    size_t pin_len;
    int rc;

    rc = dukpt_host_decrypt_pin(&b->host, t->ksn, t->block, clear, NULL);
    if (rc == POS_OK)
        rc = pinblock_decode(PINBLOCK_ISO0, clear, 8, PAN, strlen(PAN), pin, sizeof(pin), &pin_len);
    if (rc == POS_OK)
        rc = verify_pin(b, pin, pin_len);
    pos_wipe(clear, sizeof(clear));
    pos_wipe(pin, sizeof(pin));
    return rc;
}

static int pin_cold(void *arg, long i)
{
    struct pin_bench *b = arg;
    const struct txn *t = &b->txns[i % NTXN];
    struct block_key k;
    uint8_t key[DUKPT_KEY_LEN];
    char pin[PINBLOCK_PIN_CAP];
    size_t pin_len;
    int rc;

    memset(&k, 0, sizeof(k));
    rc = dukpt_derive(b->ipek, t->ksn, key, NULL);
    if (rc == POS_OK)
        rc = dukpt_variant(key, DUKPT_USAGE_PIN, key);
    if (rc == POS_OK)
        rc = block_key_init(&k, BLOCK_TDES, key, sizeof(key));
    if (rc == POS_OK)
        rc = pinblock_decrypt(&k, PINBLOCK_ISO0, t->block, 8, PAN, strlen(PAN), pin, sizeof(pin),
                              &pin_len);
    if (rc == POS_OK)
        rc = verify_pin(b, pin, pin_len);
    block_key_clear(&k);
    pos_wipe(key, sizeof(key));
    pos_wipe(pin, sizeof(pin));
    return rc;
}

static void make_aes_txns(struct pin_bench *b)
{
    struct dukpt_aes_device dev;
    struct block_key k;
    uint8_t ik[16], dk[16], key[16];
    size_t len, i;
    int rc;

    rc = dukpt_aes_initial_key(AES_BDK, 16, AES_KSN, ik);
    if (rc == POS_OK)
        rc = dukpt_aes_device_load(&dev, ik, 16, AES_KSN);
    if (rc != POS_OK)
        die("AES device load", rc);
    for (i = 0; i < NTXN; i++) {
        rc = dukpt_aes_device_next(&dev, dk, b->txns[i].ksn);
        if (rc == POS_OK)
            rc = dukpt_aes_working_key(dk, 16, b->txns[i].ksn, DUKPT_AES_USAGE_PIN,
                                       DUKPT_AES_AES128, key, sizeof(key), &len);
        if (rc == POS_OK)
            rc = block_key_init(&k, BLOCK_AES, key, sizeof(key));
        if (rc == POS_OK)
            rc = pinblock_encrypt(&k, PINBLOCK_ISO4, PIN, 4, PAN, strlen(PAN), b->txns[i].block,
                                  PINBLOCK_MAX_LEN, &len);
        block_key_clear(&k);
        if (rc != POS_OK)
            die("AES device transaction", rc);
    }
    dukpt_aes_device_clear(&dev);
    pos_wipe(ik, sizeof(ik));
    pos_wipe(dk, sizeof(dk));
    pos_wipe(key, sizeof(key));
}

/* AES: the PIN key context is kept with the terminal and re-keyed per PIN. */
static int pin_aes(void *arg, long i)
{
    struct pin_bench *b = arg;
    const struct txn *t = &b->txns[i % NTXN];
    uint8_t key[16];
    char pin[PINBLOCK_PIN_CAP];
    size_t len, pin_len;
    int rc;

    rc = dukpt_aes_host_working_key(&b->aes_host, t->ksn, DUKPT_AES_USAGE_PIN, DUKPT_AES_AES128,
                                    key, sizeof(key), &len, NULL);
    if (rc == POS_OK)
        rc = block_key_rekey(&b->aes_pin, key, len);
    if (rc == POS_OK)
        rc = pinblock_decrypt(&b->aes_pin, PINBLOCK_ISO4, t->block, 16, PAN, strlen(PAN), pin,
                              sizeof(pin), &pin_len);
    if (rc == POS_OK)
        rc = verify_pin(b, pin, pin_len);
    pos_wipe(key, sizeof(key));
    pos_wipe(pin, sizeof(pin));
    return rc;
}

static void bench_pin(const char *suffix)
{
    struct pin_bench b;
    int rc;

    memset(&b, 0, sizeof(b));
    b.txns = pos_calloc(NTXN, sizeof(*b.txns));
    if (b.txns == NULL)
        die("txns", POS_ERR_NOMEM);
    rc = dukpt_ipek(BDK, sizeof(BDK), IKSN, b.ipek);
    if (rc == POS_OK)
        rc = pvv_key_init(&b.pvk, PVK, sizeof(PVK));
    if (rc == POS_OK)
        rc = pvv_visa_generate(&b.pvk, PAN, strlen(PAN), 1, PIN, 4, b.pvv);
    if (rc == POS_OK)
        rc = dukpt_host_init(&b.host, b.ipek, IKSN);
    if (rc == POS_OK)
        rc = dukpt_aes_host_init_bdk(&b.aes_host, AES_BDK, 16, AES_KSN);
    if (rc == POS_OK)
        rc = block_key_init(&b.aes_pin, BLOCK_AES, AES_BDK, 16);
    if (rc != POS_OK)
        die("setup", rc);
    make_tdes_txns(&b);
    printf("crypto.dukpt_pin_verify%s %.0f verify/s\n", suffix,
           rate(pin_hot, &b, "dukpt_pin_verify"));
    if (suffix[0] == '\0') {
        printf("crypto.dukpt_pin_verify.cold %.0f verify/s\n",
               rate(pin_cold, &b, "dukpt_pin_verify.cold"));
        make_aes_txns(&b);
        printf("crypto.dukpt_aes_pin_verify %.0f verify/s\n",
               rate(pin_aes, &b, "dukpt_aes_pin_verify"));
    }
    fflush(stdout);
    dukpt_host_clear(&b.host);
    dukpt_aes_host_clear(&b.aes_host);
    pvv_key_clear(&b.pvk);
    block_key_clear(&b.aes_pin);
    pos_free(b.txns);
}

/* ---- MAC verification ----------------------------------------------------- */

struct mac_bench {
    struct mac_ctx ctx;
    uint8_t msg[200];
    uint8_t mac[MAC_MAX_LEN];
    size_t mac_len;
};

static int mac_once(void *arg, long i)
{
    struct mac_bench *b = arg;

    (void)i;
    mac_update(&b->ctx, b->msg, sizeof(b->msg));
    return mac_verify(&b->ctx, b->mac, b->mac_len);
}

static void bench_mac(const char *suffix)
{
    static const struct {
        const char *name;
        enum mac_alg alg;
        size_t key_len;
        bool des;
    } algs[] = {
        {"x919", MAC_ISO9797_ALG3, 16, true},    {"aes_cmac", MAC_AES_CMAC, 16, false},
        {"tdes_cmac", MAC_TDES_CMAC, 16, false}, {"cup_ecb", MAC_CUP_ECB, 16, true},
        {"cup_sm4", MAC_CUP_SM4, 16, false},
    };
    static const uint8_t key[16] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF,
                                    0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10};
    struct mac_bench b;
    char name[64];
    size_t i, j;
    int rc;

    for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
        if (suffix[0] != '\0' && !algs[i].des)
            continue;
        memset(&b, 0, sizeof(b));
        for (j = 0; j < sizeof(b.msg); j++)
            b.msg[j] = (uint8_t)(j * 7 + 1);
        rc = mac_compute(algs[i].alg, key, algs[i].key_len, MAC_PAD_DEFAULT, b.msg, sizeof(b.msg),
                         b.mac, sizeof(b.mac), &b.mac_len);
        if (rc == POS_OK)
            rc = mac_init(&b.ctx, algs[i].alg, key, algs[i].key_len, MAC_PAD_DEFAULT);
        if (rc != POS_OK)
            die(algs[i].name, rc);
        if (b.mac_len > 8)
            b.mac_len = 8; /* what ISO 8583 field 64 carries */
        snprintf(name, sizeof(name), "crypto.mac_verify.%s%s", algs[i].name, suffix);
        printf("%s %.0f verify/s\n", name, rate(mac_once, &b, name));
        fflush(stdout);
        mac_clear(&b.ctx);
    }
}

int main(void)
{
    OSSL_PROVIDER *legacy, *deflt;

    bench_pin("");
    bench_mac("");
    /* mac.h: with the legacy provider loaded the DES CBC chains run plain
     * single DES instead of TDES with K1 = K2 = K3. */
    deflt = OSSL_PROVIDER_load(NULL, "default");
    legacy = OSSL_PROVIDER_load(NULL, "legacy");
    if (legacy != NULL && deflt != NULL) {
        bench_pin(".legacy_des");
        bench_mac(".legacy_des");
    }
    if (legacy != NULL)
        OSSL_PROVIDER_unload(legacy);
    if (deflt != NULL)
        OSSL_PROVIDER_unload(deflt);
    return 0;
}
