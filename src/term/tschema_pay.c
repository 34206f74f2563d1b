/* tschema_pay: terminal schema version 3, the payments (owned by payclient.c;
 * docs/payments.md). No clear PAN, track, PIN or key in any column: keys are
 * TR-31 blocks under the terminal's LMK, PANs masked or AES-256-GCM
 * encrypted (panprot.h) until their batch settles. */
#include "term/tschema.h"

const char *const tschema_v3[] = {
    /* the one row of the terminal's identity and counters */
    "CREATE TABLE pay_terminal ("
    " id INTEGER PRIMARY KEY CHECK (id = 1),"
    " tid TEXT NOT NULL, mid TEXT NOT NULL, merchant_name TEXT NOT NULL,"
    " currency INTEGER NOT NULL, dialect TEXT NOT NULL,"
    " scheme TEXT NOT NULL CHECK (scheme IN ('mksk-tdes', 'dukpt-tdes')),"
    " host TEXT NOT NULL,"
    " batch INTEGER NOT NULL CHECK (batch BETWEEN 1 AND 999999),"
    " stan INTEGER NOT NULL CHECK (stan BETWEEN 0 AND 999999),"
    " initial_ksn TEXT NOT NULL, dukpt_counter INTEGER NOT NULL,"
    " key_kcv TEXT NOT NULL, created_at INTEGER NOT NULL)",
    /* keys: TR-31 version D blocks under the terminal LMK */
    "CREATE TABLE pay_keys ("
    " name TEXT PRIMARY KEY CHECK (name IN ('terminal', 'pan-data', 'pan-hash')),"
    " block TEXT NOT NULL, kcv TEXT NOT NULL)",
    /* the payment journal: one row per card request the terminal made */
    "CREATE TABLE pay_journal ("
    " id INTEGER PRIMARY KEY,"
    " kind TEXT NOT NULL CHECK (kind IN ('purchase', 'balance', 'preauth', 'cancel',"
    "  'completion', 'void', 'refund')),"
    " batch INTEGER NOT NULL, stan INTEGER NOT NULL, sent_time TEXT NOT NULL,"
    " amount INTEGER NOT NULL, currency INTEGER NOT NULL,"
    " pan_masked TEXT NOT NULL, expiry TEXT NOT NULL,"
    " pan_enc BLOB, pan_lookup BLOB,"
    " status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'declined', 'offline',"
    "  'reversed', 'voided', 'failed')),"
    " rc TEXT NOT NULL, rrn TEXT NOT NULL, auth TEXT NOT NULL,"
    " orig_id INTEGER REFERENCES pay_journal(id),"
    " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)",
    "CREATE INDEX pay_journal_batch ON pay_journal (batch, stan)",
    /* reversals owed to the host: what posmsg_build_reversal needs */
    "CREATE TABLE pay_reversals ("
    " id INTEGER PRIMARY KEY,"
    " journal_id INTEGER NOT NULL UNIQUE REFERENCES pay_journal(id),"
    " kind INTEGER NOT NULL, mti TEXT NOT NULL, proc TEXT NOT NULL, stan TEXT NOT NULL,"
    " sent_time TEXT NOT NULL, cond TEXT NOT NULL, f60 TEXT NOT NULL,"
    " has_amount INTEGER NOT NULL, amount INTEGER NOT NULL, mac INTEGER NOT NULL,"
    " tries INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL)",
    /* store-and-forward: offline approvals still to upload as advices */
    "CREATE TABLE pay_saf ("
    " id INTEGER PRIMARY KEY,"
    " journal_id INTEGER NOT NULL UNIQUE REFERENCES pay_journal(id),"
    " tries INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL)",
    NULL,
};
