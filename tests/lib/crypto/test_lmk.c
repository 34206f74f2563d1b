/* Tests for src/lib/crypto/lmk.c (local master key). */
#include "testutil.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/lmk.h"
#include "error.h"

#define LMK_HEX "88E1AB2A2E3DD38C1FA039A536500CC8A87AB9D62DC92C01058FA79F44657DE6"

static char tmpdir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/pos-test-lmk-XXXXXX");
    return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    char p[128];

    (void)state;
    snprintf(p, sizeof(p), "%s/lmk", tmpdir);
    unlink(p);
    snprintf(p, sizeof(p), "%s/new", tmpdir);
    unlink(p);
    rmdir(tmpdir);
    return 0;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
    int fd;

    unlink(path);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    assert_int_equal(chmod(path, mode), 0);
}

static void test_load_file_and_permissions(void **state)
{
    struct lmk l;
    struct pos_errdetail d;
    char path[128], msg[256];
    uint8_t kcv[3];
    size_t kl;
    const uint8_t *want_kcv = tu_hex("233155", &kl);

    (void)state;
    snprintf(path, sizeof(path), "%s/lmk", tmpdir);
    write_file(path, LMK_HEX "\n", 0600);
    pos_errdetail_init(&d);
    assert_int_equal(lmk_load_file(&l, path, &d), POS_OK);
    /* the AES CMAC KCV of this key: CMAC(K, 0^16) = 2331550BC9EB...,
     * computed independently with pyca/cryptography's CMAC */
    assert_int_equal(lmk_kcv(&l, kcv), POS_OK);
    assert_bytes_equal(kcv, want_kcv, 3);
    lmk_clear(&l);
    assert_false(l.loaded);
    /* group- or world-readable: refused with a clear message, no key in it */
    write_file(path, LMK_HEX "\n", 0640);
    pos_errdetail_init(&d);
    assert_int_equal(lmk_load_file(&l, path, &d), POS_ERR_KEY);
    pos_errdetail_format(POS_ERR_KEY, &d, msg, sizeof(msg));
    assert_non_null(strstr(msg, "0640"));
    assert_non_null(strstr(msg, "chmod 600"));
    assert_null(strstr(msg, "88E1AB"));
    assert_false(l.loaded);
    write_file(path, LMK_HEX "\n", 0604);
    assert_int_equal(lmk_load_file(&l, path, NULL), POS_ERR_KEY);
    /* not a regular file */
    assert_int_equal(lmk_load_file(&l, tmpdir, &d), POS_ERR_KEY);
    /* missing file */
    snprintf(path, sizeof(path), "%s/missing", tmpdir);
    assert_int_equal(lmk_load_file(&l, path, &d), POS_ERR_IO);
    /* wrong content */
    snprintf(path, sizeof(path), "%s/lmk", tmpdir);
    write_file(path, "0011\n", 0600);
    assert_int_equal(lmk_load_file(&l, path, &d), POS_ERR_KEY_LENGTH);
    write_file(path, "ZZE1AB2A2E3DD38C1FA039A536500CC8A87AB9D62DC92C01058FA79F44657DE6", 0600);
    assert_int_equal(lmk_load_file(&l, path, &d), POS_ERR_HEX);
    assert_int_equal(lmk_load_file(NULL, path, &d), POS_ERR_INVAL);
}

static void test_env(void **state)
{
    struct lmk l;
    struct pos_errdetail d;

    (void)state;
    unsetenv("POS_TEST_LMK");
    pos_errdetail_init(&d);
    assert_int_equal(lmk_load_env(&l, "POS_TEST_LMK", &d), POS_ERR_NOT_FOUND);
    assert_non_null(strstr(d.what, "POS_TEST_LMK"));
    setenv("POS_TEST_LMK", " " LMK_HEX " ", 1);
    assert_int_equal(lmk_load_env(&l, "POS_TEST_LMK", &d), POS_OK);
    assert_true(l.loaded);
    setenv("POS_TEST_LMK", "1234", 1);
    assert_int_equal(lmk_load_env(&l, "POS_TEST_LMK", &d), POS_ERR_KEY_LENGTH);
    assert_false(l.loaded);
    unsetenv("POS_TEST_LMK");
}

static void test_create(void **state)
{
    struct lmk a, b;
    struct stat st;
    char path[128];
    uint8_t ka[3], kb[3];

    (void)state;
    snprintf(path, sizeof(path), "%s/new", tmpdir);
    unlink(path);
    umask(0);
    assert_int_equal(lmk_create_file(&a, path, NULL), POS_OK);
    umask(022);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(st.st_size, 65);
    assert_int_equal(lmk_load_file(&b, path, NULL), POS_OK);
    assert_memory_equal(a.key, b.key, LMK_KEY_LEN);
    assert_int_equal(lmk_kcv(&a, ka), POS_OK);
    assert_int_equal(lmk_kcv(&b, kb), POS_OK);
    assert_memory_equal(ka, kb, 3);
    /* never overwrites an existing LMK */
    assert_int_equal(lmk_create_file(&b, path, NULL), POS_ERR_IO);
    assert_false(b.loaded);
    assert_int_equal(lmk_load_file(&b, path, NULL), POS_OK);
    assert_memory_equal(a.key, b.key, LMK_KEY_LEN);
    lmk_clear(&a);
    lmk_clear(&b);
    assert_int_equal(lmk_kcv(&a, ka), POS_ERR_KEY);
}

static void test_wrap_unwrap(void **state)
{
    struct lmk l, none;
    struct keyblock_params p;
    struct keyblock_header h;
    char blk[256];
    uint8_t key[32];
    size_t n = 0, kl = 0;
    static const uint8_t bdk[16] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF,
                                    0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10};

    (void)state;
    memset(&none, 0, sizeof(none));
    assert_int_equal(lmk_load_hex(&l, LMK_HEX, strlen(LMK_HEX), NULL), POS_OK);
    memset(&p, 0, sizeof(p));
    p.version = 'B'; /* ignored: stored keys are always version D */
    p.usage = "B0";
    p.algorithm = 'T';
    p.mode = 'X';
    p.exportability = 'N';
    assert_int_equal(lmk_wrap(&l, &p, bdk, sizeof(bdk), blk, sizeof(blk), &n, NULL), POS_OK);
    assert_int_equal(blk[0], 'D');
    assert_int_equal(lmk_unwrap_for(&l, blk, n, "B0", 'X', &h, key, sizeof(key), &kl, NULL),
                     POS_OK);
    assert_buf_equal(key, kl, bdk, sizeof(bdk));
    /* a BDK cannot be fetched as a PIN key */
    assert_int_equal(lmk_unwrap_for(&l, blk, n, "P0", 'E', &h, key, sizeof(key), &kl, NULL),
                     POS_ERR_KEY_USAGE);
    /* no LMK loaded */
    assert_int_equal(lmk_wrap(&none, &p, bdk, sizeof(bdk), blk, sizeof(blk), &n, NULL),
                     POS_ERR_KEY);
    assert_int_equal(lmk_unwrap_for(&none, blk, n, "B0", 'X', &h, key, sizeof(key), &kl, NULL),
                     POS_ERR_KEY);
    assert_int_equal(lmk_wrap(&l, NULL, bdk, sizeof(bdk), blk, sizeof(blk), &n, NULL),
                     POS_ERR_INVAL);
    /* version B blocks are not stored keys */
    assert_int_equal(
        lmk_unwrap_for(&l, "B0016P0TE00E0000", 16, NULL, 0, &h, key, sizeof(key), &kl, NULL),
        POS_ERR_KEYBLOCK);
    assert_int_equal(lmk_unwrap_for(&l, "", 0, NULL, 0, &h, key, sizeof(key), &kl, NULL),
                     POS_ERR_INVAL);
    lmk_clear(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_file_and_permissions),
        cmocka_unit_test(test_env),
        cmocka_unit_test(test_create),
        cmocka_unit_test(test_wrap_unwrap),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
