/* Tests for src/lib/textwidth.c: UTF-8 decoding and display widths. */
#include "testutil.h"

#include <string.h>

#include "textwidth.h"

static size_t w(const char *s)
{
    return textwidth_of(s, strlen(s));
}

static void test_widths(void **state)
{
    (void)state;
    /* ASCII: one column each */
    assert_int_equal(w(""), 0);
    assert_int_equal(w("hello, world"), 12);
    /* CJK Unified Ideographs (UAX #11: W): 消费 "sale" */
    assert_int_equal(w("\xE6\xB6\x88\xE8\xB4\xB9"), 4);
    assert_int_equal(textwidth_cp(0x4E00), 2);
    assert_int_equal(textwidth_cp(0x9FFF), 2);
    assert_int_equal(textwidth_cp(0x3400), 2);  /* Extension A */
    assert_int_equal(textwidth_cp(0x20000), 2); /* Extension B, plane 2 */
    assert_int_equal(textwidth_cp(0x2FFFD), 2); /* plane 2 default W (UAX #11 §4.2) */
    assert_int_equal(textwidth_cp(0x3000), 2);  /* IDEOGRAPHIC SPACE: F */
    assert_int_equal(textwidth_cp(0x3002), 2);  /* IDEOGRAPHIC FULL STOP: W */
    assert_int_equal(textwidth_cp(0xFF0C), 2);  /* FULLWIDTH COMMA: F */
    assert_int_equal(textwidth_cp(0xFF21), 2);  /* FULLWIDTH LATIN CAPITAL A: F */
    assert_int_equal(textwidth_cp(0xFFE5), 2);  /* FULLWIDTH YEN SIGN: F */
    assert_int_equal(textwidth_cp(0xFF76), 1);  /* HALFWIDTH KATAKANA KA: H */
    assert_int_equal(textwidth_cp(0x3042), 2);  /* HIRAGANA A */
    assert_int_equal(textwidth_cp(0xAC00), 2);  /* HANGUL SYLLABLE GA */
    assert_int_equal(textwidth_cp(0x1100), 2);  /* HANGUL CHOSEONG KIYEOK: W */
    assert_int_equal(textwidth_cp(0x1160), 0);  /* HANGUL JUNGSEONG FILLER: joins */
    /* emoji with default emoji presentation are W since Unicode 9 */
    assert_int_equal(textwidth_cp(0x1F600), 2); /* GRINNING FACE */
    assert_int_equal(textwidth_cp(0x1F44D), 2); /* THUMBS UP SIGN */
    assert_int_equal(textwidth_cp(0x231A), 2);  /* WATCH */
    assert_int_equal(w("\xF0\x9F\x98\x80"), 2);
    assert_int_equal(textwidth_cp(0x2764), 1); /* HEAVY BLACK HEART: text presentation, N */
    /* ambiguous (A) counts 1 */
    assert_int_equal(textwidth_cp(0x00B0), 1); /* DEGREE SIGN */
    assert_int_equal(textwidth_cp(0x00D7), 1); /* MULTIPLICATION SIGN */
    assert_int_equal(textwidth_cp(0x2460), 1); /* CIRCLED DIGIT ONE */
    assert_int_equal(textwidth_cp(0x00A5), 1); /* YEN SIGN: Na */
    assert_int_equal(textwidth_cp(0xFFFD), 1);
    /* combining marks and format characters: 0 */
    assert_int_equal(w("e\xCC\x81"), 1);        /* e + COMBINING ACUTE ACCENT */
    assert_int_equal(textwidth_cp(0x0301), 0);  /* Mn */
    assert_int_equal(textwidth_cp(0x20DD), 0);  /* COMBINING ENCLOSING CIRCLE: Me */
    assert_int_equal(textwidth_cp(0x200D), 0);  /* ZERO WIDTH JOINER: Cf */
    assert_int_equal(textwidth_cp(0x200B), 0);  /* ZERO WIDTH SPACE */
    assert_int_equal(textwidth_cp(0xFE0F), 0);  /* VARIATION SELECTOR-16: Mn */
    assert_int_equal(textwidth_cp(0x3099), 0);  /* COMBINING KATAKANA-HIRAGANA VOICED SOUND
                                                   MARK: Mn although W */
    assert_int_equal(textwidth_cp(0x00AD), 1);  /* SOFT HYPHEN: Cf, printed */
    assert_int_equal(textwidth_cp(0xE0001), 0); /* LANGUAGE TAG: Cf */
    /* controls do not print */
    assert_int_equal(textwidth_cp(0x00), 0);
    assert_int_equal(textwidth_cp(0x1B), 0);
    assert_int_equal(textwidth_cp(0x7F), 0);
    assert_int_equal(textwidth_cp(0x9B), 0);
    /* not scalar values */
    assert_int_equal(textwidth_cp(0xD800), 1);
    assert_int_equal(textwidth_cp(0x110000), 1);
    assert_int_equal(textwidth_cp(0xFFFFFFFFu), 1);
    /* unassigned outside the CJK defaults: 1 */
    assert_int_equal(textwidth_cp(0x0378), 1);
    /* mixed: "Apple 苹果" */
    assert_int_equal(w("Apple \xE8\x8B\xB9\xE6\x9E\x9C"), 10);
}

/* Decodes all of s into cps (max n); returns the count; checks that the
 * consumed lengths add up to len exactly. */
static size_t decode_all(const char *s, size_t len, uint32_t *cps, size_t n)
{
    size_t off = 0, k = 0;

    while (off < len) {
        size_t used = textwidth_decode(s + off, len - off, &cps[k], NULL);

        assert_true(used >= 1 && used <= len - off);
        off += used;
        k++;
        assert_true(k <= n);
    }
    return k;
}

static void test_decode(void **state)
{
    /* Unicode 14.0 §3.9, Table 3-8 "Use of U+FFFD in Maximal Subpart
     * Conversion":
     * 61 F1 80 80 E1 80 C2 62 80 63 80 BF 64 ->
     * 0061 FFFD FFFD FFFD 0062 FFFD 0063 FFFD FFFD 0064 */
    static const char t38[] = "\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64";
    static const uint32_t want38[] = {0x61,   0xFFFD, 0xFFFD, 0xFFFD, 0x62,
                                      0xFFFD, 0x63,   0xFFFD, 0xFFFD, 0x64};
    /* Unicode 14.0 §3.9, Tables 3-4 to 3-7 (non-shortest forms, code points
     * above U+10FFFF, bytes never in UTF-8): C0 AF, E0 80 BF (overlong),
     * F4 91 92 93 (above U+10FFFF), FF: every byte is one U+FFFD; so are the
     * three bytes of the surrogate ED A0 80 (below) */
    static const char bad[] = "\xC0\xAF\xE0\x80\xBF\xF4\x91\x92\x93\xFF\x41\x80\xBF\x42";
    static const uint32_t wantbad[] = {0xFFFD, 0xFFFD, 0xFFFD, 0xFFFD, 0xFFFD, 0xFFFD, 0xFFFD,
                                       0xFFFD, 0xFFFD, 0xFFFD, 0x41,   0xFFFD, 0xFFFD, 0x42};
    static const char sur[] = "\xED\xA0\x80";
    uint32_t cps[32], cp = 0;
    bool ok = true;
    size_t n, i;

    (void)state;
    n = decode_all(t38, sizeof(t38) - 1, cps, 32);
    assert_int_equal(n, sizeof(want38) / sizeof(want38[0]));
    for (i = 0; i < n; i++)
        assert_int_equal(cps[i], want38[i]);
    n = decode_all(bad, sizeof(bad) - 1, cps, 32);
    assert_int_equal(n, sizeof(wantbad) / sizeof(wantbad[0]));
    for (i = 0; i < n; i++)
        assert_int_equal(cps[i], wantbad[i]);
    assert_int_equal(decode_all(sur, 3, cps, 32), 3);
    /* well-formed sequences of each length */
    assert_int_equal(textwidth_decode("A", 1, &cp, &ok), 1);
    assert_int_equal(cp, 0x41);
    assert_true(ok);
    assert_int_equal(textwidth_decode("\xC2\xA5", 2, &cp, &ok), 2);
    assert_int_equal(cp, 0xA5);
    assert_int_equal(textwidth_decode("\xE6\xB6\x88", 3, &cp, &ok), 3);
    assert_int_equal(cp, 0x6D88); /* 消 */
    assert_int_equal(textwidth_decode("\xF4\x8F\xBF\xBF", 4, &cp, &ok), 4);
    assert_int_equal(cp, 0x10FFFF);
    assert_true(ok);
    assert_int_equal(textwidth_decode("\xEF\xBF\xBD", 3, &cp, &ok), 3);
    assert_int_equal(cp, 0xFFFD);
    assert_true(ok); /* a real U+FFFD is valid */
    /* empty and NULL */
    assert_int_equal(textwidth_decode("A", 0, &cp, &ok), 0);
    assert_false(ok);
    assert_int_equal(textwidth_decode(NULL, 5, NULL, NULL), 0);
    assert_int_equal(textwidth_of(NULL, 5), 0);
    assert_true(textwidth_is_valid(NULL, 0));
    assert_false(textwidth_is_valid(NULL, 1));
    assert_int_equal(textwidth_fit(NULL, 3, 10, NULL), 0);
}

/* A sequence cut by the end of the buffer is one U+FFFD and nothing past
 * len is read (these arrays are exactly as long as the data, so ASan
 * catches a read past them). */
static void test_truncated_at_end(void **state)
{
    const char two[2] = {'\xE6', '\xB6'};
    const char one[1] = {'\xF0'};
    const char three[3] = {'\xF0', '\x9F', '\x98'};
    uint32_t cp = 0;
    bool ok = true;

    (void)state;
    assert_int_equal(textwidth_decode(two, sizeof(two), &cp, &ok), 2);
    assert_int_equal(cp, 0xFFFD);
    assert_false(ok);
    assert_int_equal(textwidth_decode(one, sizeof(one), &cp, &ok), 1);
    assert_int_equal(textwidth_decode(three, sizeof(three), &cp, &ok), 3);
    assert_int_equal(cp, 0xFFFD);
    assert_int_equal(textwidth_of(two, sizeof(two)), 1);
    assert_int_equal(textwidth_of(three, sizeof(three)), 1);
    assert_false(textwidth_is_valid(three, sizeof(three)));
    assert_int_equal(textwidth_fit(three, sizeof(three), 1, NULL), 3);
}

static void test_encode_roundtrip(void **state)
{
    char buf[TEXTWIDTH_UTF8_MAX];
    uint32_t cp, got;
    size_t n;
    bool ok;

    (void)state;
    for (cp = 0; cp <= 0x10FFFF; cp++) {
        n = textwidth_encode(cp, buf);
        if (cp >= 0xD800 && cp <= 0xDFFF) {
            assert_int_equal(n, 0);
            continue;
        }
        assert_int_equal(n, cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4);
        assert_int_equal(textwidth_decode(buf, n, &got, &ok), n);
        assert_true(ok);
        assert_int_equal(got, cp);
        assert_true(textwidth_cp(cp) <= 2);
    }
    assert_int_equal(textwidth_encode(0x110000, buf), 0);
}

static void test_fit(void **state)
{
    const char *s = "\xE6\xB6\x88\xE8\xB4\xB9"
                    "abc"; /* 消费abc */
    size_t width = 99;

    (void)state;
    /* a double-width character never crosses the edge */
    assert_int_equal(textwidth_fit(s, strlen(s), 3, &width), 3);
    assert_int_equal(width, 2);
    assert_int_equal(textwidth_fit(s, strlen(s), 4, &width), 6);
    assert_int_equal(width, 4);
    assert_int_equal(textwidth_fit(s, strlen(s), 1, &width), 0);
    assert_int_equal(width, 0);
    assert_int_equal(textwidth_fit(s, strlen(s), 100, &width), strlen(s));
    assert_int_equal(width, 7);
    /* combining marks stay with their base */
    assert_int_equal(textwidth_fit("e\xCC\x81x", 4, 1, &width), 3);
    assert_int_equal(width, 1);
    assert_int_equal(textwidth_fit("abc", 3, 0, &width), 0);
    /* an ill-formed byte is one column */
    assert_int_equal(textwidth_fit("\xFF\xFF\xFF", 3, 2, &width), 2);
    assert_int_equal(width, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_widths),
        cmocka_unit_test(test_decode),
        cmocka_unit_test(test_truncated_at_end),
        cmocka_unit_test(test_encode_roundtrip),
        cmocka_unit_test(test_fit),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
