/* fuzz_money: money parse -> format -> parse round trip, and the helpers.
 *
 * Input: a currency (three letters of a known code, else one byte picking a
 * table row) followed by the amount text. Whatever parses must format
 * within MONEY_FORMAT_MAX and parse back to the same amount; the fee of any
 * basis points is never larger than the amount; nothing may crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "money.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_check(bool ok)
{
    if (!ok)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct currency *cur;
    const char *text;
    char buf[MONEY_FORMAT_MAX];
    struct money m, back, fee, sum;
    size_t len, n = 0;
    int64_t iso;
    int r;

    if (size == 0)
        return 0;
    cur = size >= 3 ? money_currency_by_alpha((const char *)data, 3) : NULL;
    if (cur != NULL) {
        text = (const char *)data + 3;
        len = size - 3;
    } else {
        cur = money_currency_at(data[0] % money_currency_count());
        text = (const char *)data + 1;
        len = size - 1;
    }
    (void)money_currency_parse(text, len, &cur, NULL);
    (void)money_iso8583_amount_parse(text, len, &iso);
    if (money_parse(text, len, cur, &m, NULL) != POS_OK)
        return 0;
    fuzz_check(m.minor != INT64_MIN && m.cur == cur);
    fuzz_check(money_format(&m, buf, sizeof(buf), &n) == POS_OK);
    fuzz_check(n < sizeof(buf) && buf[n] == '\0');
    fuzz_check(money_parse(buf, n, cur, &back, NULL) == POS_OK);
    fuzz_check(back.minor == m.minor);
    for (r = MONEY_ROUND_HALF_UP; r <= MONEY_ROUND_UP; r++) {
        uint32_t bps = (uint32_t)(data[size - 1] * 40u);
        fuzz_check(money_fee_bps(&m, bps, (enum money_round)r, &fee) == POS_OK);
        fuzz_check(fee.minor >= 0 ? fee.minor <= (m.minor < 0 ? -m.minor : m.minor)
                                  : -fee.minor <= (m.minor < 0 ? -m.minor : m.minor));
        fuzz_check((fee.minor == 0) || ((fee.minor < 0) == (m.minor < 0)));
    }
    /* checked arithmetic: either an exact result or an overflow error */
    r = money_add(&m, &m, &sum);
    fuzz_check(r == POS_OK ? sum.minor / 2 == m.minor : r == POS_ERR_OVERFLOW);
    r = money_neg(&m, &back);
    fuzz_check(r == POS_OK && back.minor == -m.minor);
    return 0;
}
