/* promo: promotions and what one takes off a sale line (promo.h). */
#include "term/promo.h"

#include <stdio.h>
#include <string.h>

#include "money.h"
#include "term/tstore.h"

static const char *const promo_kind_names[] = {"percent", "amount", "buy_get", "bundle"};

const char *promo_kind_name(enum promo_kind k)
{
    if ((unsigned)k >= sizeof(promo_kind_names) / sizeof(promo_kind_names[0]))
        return "?";
    return promo_kind_names[k];
}

int promo_kind_parse(const char *s, enum promo_kind *out)
{
    size_t i;

    for (i = 0; i < sizeof(promo_kind_names) / sizeof(promo_kind_names[0]); i++)
        if (strcmp(s, promo_kind_names[i]) == 0) {
            *out = (enum promo_kind)i;
            return POS_OK;
        }
    return POS_ERR_INVAL;
}

void promo_init(struct promo *p)
{
    memset(p, 0, sizeof(*p));
    p->kind = PROMO_PERCENT;
    p->active = true;
}

static int promo_bad(struct pos_errdetail *d, int rc, const char *what)
{
    return pos_errdetail_set(d, rc, -1, POS_NO_OFFSET, "%s", what);
}

int promo_validate(const struct promo *p, struct pos_errdetail *d)
{
    size_t i, n = strlen(p->name);
    bool by_item = p->sku[0] != '\0' || p->item_id != 0;

    if (n == 0 || n > PROMO_NAME_MAX)
        return promo_bad(d, POS_ERR_INVAL, "name: 1 to 64 bytes");
    for (i = 0; i < n; i++)
        if ((unsigned char)p->name[i] < 0x20 || p->name[i] == 0x7f)
            return promo_bad(d, POS_ERR_INVAL, "name: no control characters");
    if (by_item == (p->category[0] != '\0'))
        return promo_bad(d, POS_ERR_INVAL, "give either an item (--sku) or a category");
    switch (p->kind) {
    case PROMO_PERCENT:
        if (p->percent_bps < 1 || p->percent_bps > 10000)
            return promo_bad(d, POS_ERR_RANGE, "percent: must be over 0 and at most 100");
        break;
    case PROMO_AMOUNT:
        if (p->amount < 1 || p->amount > CATALOG_PRICE_MAX)
            return promo_bad(d, POS_ERR_RANGE, "amount: must be over 0 and at most 10^11");
        break;
    case PROMO_BUY_GET:
        if (p->buy_n < 1 || p->buy_n > PROMO_GROUP_MAX || p->get_m < 1 ||
            p->get_m > PROMO_GROUP_MAX)
            return promo_bad(d, POS_ERR_RANGE, "buy and get: 1 to 1000 each");
        break;
    case PROMO_BUNDLE:
        if (p->buy_n < 2 || p->buy_n > PROMO_GROUP_MAX)
            return promo_bad(d, POS_ERR_RANGE, "bundle: 2 to 1000 units");
        if (p->amount < 0 || p->amount > CATALOG_PRICE_MAX)
            return promo_bad(d, POS_ERR_RANGE, "bundle price: 0 to 10^11");
        break;
    default:
        return promo_bad(d, POS_ERR_INVAL, "unknown promotion kind");
    }
    return POS_OK;
}

bool promo_applies(const struct promo *p, int64_t item_id, const char *category)
{
    if (!p->active)
        return false;
    if (p->item_id != 0)
        return p->item_id == item_id;
    return p->category[0] != '\0' && strcmp(p->category, category) == 0;
}

/* Units of whole items in qty milli-units (weighed remainders never count
 * towards a group). */
static int64_t promo_units(int64_t qty)
{
    return qty / 1000;
}

int promo_discount(const struct promo *p, int64_t qty, int64_t unit_price, int64_t gross,
                   int64_t *off)
{
    const struct currency *any = money_currency_by_numeric(156); /* rounding only */
    struct money m = {gross, any}, fee;
    int64_t groups, x, y;
    int rc;

    *off = 0;
    if (qty < 0 || unit_price < 0 || gross < 0)
        return POS_ERR_INVAL;
    switch (p->kind) {
    case PROMO_PERCENT:
        rc = money_fee_bps(&m, p->percent_bps, MONEY_ROUND_HALF_UP, &fee);
        if (rc != POS_OK)
            return rc;
        x = fee.minor;
        break;
    case PROMO_AMOUNT:
        /* amount x qty / 1000, half up */
        if (__builtin_mul_overflow(p->amount, qty, &x) || __builtin_add_overflow(x, 500, &x))
            return POS_ERR_OVERFLOW;
        x /= 1000;
        break;
    case PROMO_BUY_GET:
        if (p->buy_n < 1 || p->get_m < 1)
            return POS_ERR_INVAL;
        groups = promo_units(qty) / (p->buy_n + p->get_m);
        if (__builtin_mul_overflow(groups, p->get_m, &y) ||
            __builtin_mul_overflow(y, unit_price, &x))
            return POS_ERR_OVERFLOW;
        break;
    case PROMO_BUNDLE:
        if (p->buy_n < 2)
            return POS_ERR_INVAL;
        groups = promo_units(qty) / p->buy_n;
        if (__builtin_mul_overflow(p->buy_n, unit_price, &y))
            return POS_ERR_OVERFLOW;
        y -= p->amount; /* saving per bundle; both >= 0, cannot overflow */
        if (y <= 0)
            y = 0;
        if (__builtin_mul_overflow(groups, y, &x))
            return POS_ERR_OVERFLOW;
        break;
    default:
        return POS_ERR_INVAL;
    }
    *off = x > gross ? gross : x;
    return POS_OK;
}

int promo_add(struct store *db, const struct promo *p, int64_t *id, struct pos_errdetail *d)
{
    struct catalog_item it;
    struct store_stmt *st = NULL;
    int64_t item_id = 0;
    int rc = promo_validate(p, d);

    if (rc != POS_OK)
        goto out;
    if (p->sku[0] != '\0') {
        rc = catalog_get(db, p->sku, &it);
        if (rc == POS_ERR_NOT_FOUND)
            pos_errdetail_set(d, rc, -1, POS_NO_OFFSET, "no item with SKU %s", p->sku);
        if (rc != POS_OK)
            goto out;
        item_id = it.id;
    } else if (p->item_id != 0) {
        item_id = p->item_id;
    }
    rc = store_prepare(db,
                       "INSERT INTO promotions (name, kind, item_id, category, percent_bps, "
                       "amount, buy_n, get_m, active, created_at) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?) RETURNING id",
                       &st);
    if (rc != POS_OK)
        goto out;
    store_bind_text(st, 1, p->name, strlen(p->name));
    store_bind_text(st, 2, promo_kind_name(p->kind), strlen(promo_kind_name(p->kind)));
    if (item_id != 0) {
        store_bind_int64(st, 3, item_id);
        store_bind_null(st, 4);
    } else {
        store_bind_null(st, 3);
        store_bind_text(st, 4, p->category, strlen(p->category));
    }
    store_bind_int64(st, 5, p->kind == PROMO_PERCENT ? p->percent_bps : 0);
    store_bind_int64(st, 6, p->kind == PROMO_AMOUNT || p->kind == PROMO_BUNDLE ? p->amount : 0);
    store_bind_int64(st, 7, p->kind == PROMO_BUY_GET || p->kind == PROMO_BUNDLE ? p->buy_n : 0);
    store_bind_int64(st, 8, p->kind == PROMO_BUY_GET ? p->get_m : 0);
    store_bind_int64(st, 9, tstore_now_ms());
    rc = store_step(st);
    if (rc == STORE_ROW) {
        if (id != NULL)
            *id = store_column_int64(st, 0);
        store_reset(st);
        rc = POS_OK;
    } else if (rc == STORE_DONE) {
        rc = POS_ERR_DB;
    }
out:
    return rc;
}

int promo_disable(struct store *db, int64_t id)
{
    struct store_stmt *st;
    int rc = store_prepare(db, "UPDATE promotions SET active = 0 WHERE id = ?", &st);

    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, id);
    rc = store_step(st);
    if (rc < 0)
        return rc;
    return store_changes(db) == 1 ? POS_OK : POS_ERR_NOT_FOUND;
}

static void promo_row(struct store_stmt *st, struct promo *p)
{
    const char *s;

    promo_init(p);
    p->id = store_column_int64(st, 0);
    s = store_column_text(st, 1, NULL);
    snprintf(p->name, sizeof(p->name), "%s", s != NULL ? s : "");
    s = store_column_text(st, 2, NULL);
    if (s == NULL || promo_kind_parse(s, &p->kind) != POS_OK)
        p->kind = (enum promo_kind) - 1;
    p->item_id = store_column_is_null(st, 3) ? 0 : store_column_int64(st, 3);
    s = store_column_text(st, 4, NULL);
    snprintf(p->category, sizeof(p->category), "%s", s != NULL ? s : "");
    p->percent_bps = (uint32_t)store_column_int64(st, 5);
    p->amount = store_column_int64(st, 6);
    p->buy_n = store_column_int64(st, 7);
    p->get_m = store_column_int64(st, 8);
    p->active = store_column_int64(st, 9) != 0;
    s = store_column_text(st, 10, NULL);
    snprintf(p->sku, sizeof(p->sku), "%s", s != NULL ? s : "");
}

#define PROMO_SELECT                                                                               \
    "SELECT p.id, p.name, p.kind, p.item_id, p.category, p.percent_bps, p.amount, p.buy_n, "       \
    "p.get_m, p.active, i.sku FROM promotions p LEFT JOIN items i ON i.id = p.item_id "

int promo_list(struct store *db, bool all, int (*fn)(void *arg, const struct promo *p), void *arg)
{
    struct store_stmt *st;
    struct promo p;
    int rc = store_prepare(db, PROMO_SELECT "WHERE p.active = 1 OR ? ORDER BY p.id", &st);

    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, all ? 1 : 0);
    while ((rc = store_step(st)) == STORE_ROW) {
        promo_row(st, &p);
        rc = fn(arg, &p);
        if (rc != 0) {
            store_reset(st);
            return rc;
        }
    }
    return rc < 0 ? rc : POS_OK;
}

int promo_load_active(struct store *db, struct promo *out, size_t cap, size_t *n)
{
    struct store_stmt *st;
    int rc = store_prepare(db, PROMO_SELECT "WHERE p.active = 1 ORDER BY p.id", &st);

    *n = 0;
    if (rc != POS_OK)
        return rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        if (*n == cap) {
            store_reset(st);
            return POS_ERR_NOSPACE;
        }
        promo_row(st, &out[(*n)++]);
    }
    return rc < 0 ? rc : POS_OK;
}
