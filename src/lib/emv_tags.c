/* emv_tags: the EMV data element dictionary and value masking (see emv_tags.h). */
#include "emv_tags.h"

#include <string.h>

#include "card.h"
#include "error.h"
#include "hex.h"
#include "mem.h"

/* EMV 4.4 Book 3 Annex A1, sorted by tag value (a test checks the order).
 * Lengths in bytes; "var." lengths use the limits of Annex A or 255. */
static const struct emv_tags_entry emv_tags__table[] = {
    {0x42, "Issuer Identification Number (IIN)", EMV_TAGS_FORMAT_N, 3, 3, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x4F, "Application Identifier (AID) - card", EMV_TAGS_FORMAT_B, 5, 16, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x50, "Application Label", EMV_TAGS_FORMAT_ANS, 1, 16, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x56, "Track 1 Data", EMV_TAGS_FORMAT_ANS, 0, 76, EMV_TAGS_SOURCE_CARD, EMV_TAGS_MASK_TRACK1},
    {0x57, "Track 2 Equivalent Data", EMV_TAGS_FORMAT_B, 0, 19, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_TRACK2},
    {0x5A, "Application Primary Account Number (PAN)", EMV_TAGS_FORMAT_CN, 0, 10,
     EMV_TAGS_SOURCE_CARD, EMV_TAGS_MASK_PAN},
    {0x61, "Application Template", EMV_TAGS_FORMAT_B, 0, 252, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x6F, "File Control Information (FCI) Template", EMV_TAGS_FORMAT_B, 0, 252,
     EMV_TAGS_SOURCE_CARD, EMV_TAGS_MASK_NONE},
    {0x70, "READ RECORD Response Message Template", EMV_TAGS_FORMAT_B, 0, 255, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x71, "Issuer Script Template 1", EMV_TAGS_FORMAT_B, 0, 255, EMV_TAGS_SOURCE_ISSUER,
     EMV_TAGS_MASK_NONE},
    {0x72, "Issuer Script Template 2", EMV_TAGS_FORMAT_B, 0, 255, EMV_TAGS_SOURCE_ISSUER,
     EMV_TAGS_MASK_NONE},
    {0x73, "Directory Discretionary Template", EMV_TAGS_FORMAT_B, 0, 252, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x77, "Response Message Template Format 2", EMV_TAGS_FORMAT_B, 0, 255, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x80, "Response Message Template Format 1", EMV_TAGS_FORMAT_B, 0, 255, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x81, "Amount, Authorised (Binary)", EMV_TAGS_FORMAT_B, 4, 4, EMV_TAGS_SOURCE_TERMINAL,
     EMV_TAGS_MASK_NONE},
    {0x82, "Application Interchange Profile", EMV_TAGS_FORMAT_B, 2, 2, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x83, "Command Template", EMV_TAGS_FORMAT_B, 0, 255, EMV_TAGS_SOURCE_TERMINAL,
     EMV_TAGS_MASK_NONE},
    {0x84, "Dedicated File (DF) Name", EMV_TAGS_FORMAT_B, 5, 16, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x86, "Issuer Script Command", EMV_TAGS_FORMAT_B, 0, 261, EMV_TAGS_SOURCE_ISSUER,
     EMV_TAGS_MASK_NONE},
    {0x87, "Application Priority Indicator", EMV_TAGS_FORMAT_B, 1, 1, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x88, "Short File Identifier (SFI)", EMV_TAGS_FORMAT_B, 1, 1, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x89, "Authorisation Code", EMV_TAGS_FORMAT_AN, 6, 6, EMV_TAGS_SOURCE_ISSUER,
     EMV_TAGS_MASK_NONE},
    {0x8A, "Authorisation Response Code", EMV_TAGS_FORMAT_AN, 2, 2, EMV_TAGS_SOURCE_ISSUER,
     EMV_TAGS_MASK_NONE},
    {0x8C, "Card Risk Management Data Object List 1 (CDOL1)", EMV_TAGS_FORMAT_B, 0, 252,
     EMV_TAGS_SOURCE_CARD, EMV_TAGS_MASK_NONE},
    {0x8D, "Card Risk Management Data Object List 2 (CDOL2)", EMV_TAGS_FORMAT_B, 0, 252,
     EMV_TAGS_SOURCE_CARD, EMV_TAGS_MASK_NONE},
    {0x8E, "Cardholder Verification Method (CVM) List", EMV_TAGS_FORMAT_B, 10, 252,
     EMV_TAGS_SOURCE_CARD, EMV_TAGS_MASK_NONE},
    {0x8F, "Certification Authority Public Key Index", EMV_TAGS_FORMAT_B, 1, 1,
     EMV_TAGS_SOURCE_CARD, EMV_TAGS_MASK_NONE},
    {0x90, "Issuer Public Key Certificate", EMV_TAGS_FORMAT_B, 0, 255, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x91, "Issuer Authentication Data", EMV_TAGS_FORMAT_B, 8, 16, EMV_TAGS_SOURCE_ISSUER,
     EMV_TAGS_MASK_NONE},
    {0x92, "Issuer Public Key Remainder", EMV_TAGS_FORMAT_B, 0, 255, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x93, "Signed Static Application Data", EMV_TAGS_FORMAT_B, 0, 255, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x94, "Application File Locator (AFL)", EMV_TAGS_FORMAT_B, 0, 252, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x95, "Terminal Verification Results", EMV_TAGS_FORMAT_B, 5, 5, EMV_TAGS_SOURCE_TERMINAL,
     EMV_TAGS_MASK_NONE},
    {0x97, "Transaction Certificate Data Object List (TDOL)", EMV_TAGS_FORMAT_B, 0, 252,
     EMV_TAGS_SOURCE_CARD, EMV_TAGS_MASK_NONE},
    {0x98, "Transaction Certificate (TC) Hash Value", EMV_TAGS_FORMAT_B, 20, 20,
     EMV_TAGS_SOURCE_TERMINAL, EMV_TAGS_MASK_NONE},
    {0x99, "Transaction Personal Identification Number (PIN) Data", EMV_TAGS_FORMAT_B, 0, 255,
     EMV_TAGS_SOURCE_TERMINAL, EMV_TAGS_MASK_FULL},
    {0x9A, "Transaction Date", EMV_TAGS_FORMAT_N, 3, 3, EMV_TAGS_SOURCE_TERMINAL,
     EMV_TAGS_MASK_NONE},
    {0x9B, "Transaction Status Information", EMV_TAGS_FORMAT_B, 2, 2, EMV_TAGS_SOURCE_TERMINAL,
     EMV_TAGS_MASK_NONE},
    {0x9C, "Transaction Type", EMV_TAGS_FORMAT_N, 1, 1, EMV_TAGS_SOURCE_TERMINAL,
     EMV_TAGS_MASK_NONE},
    {0x9D, "Directory Definition File (DDF) Name", EMV_TAGS_FORMAT_B, 5, 16, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0xA5, "File Control Information (FCI) Proprietary Template", EMV_TAGS_FORMAT_B, 0, 255,
     EMV_TAGS_SOURCE_CARD, EMV_TAGS_MASK_NONE},
    {0x5F20, "Cardholder Name", EMV_TAGS_FORMAT_ANS, 2, 26, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x5F24, "Application Expiration Date", EMV_TAGS_FORMAT_N, 3, 3, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x5F25, "Application Effective Date", EMV_TAGS_FORMAT_N, 3, 3, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x5F28, "Issuer Country Code", EMV_TAGS_FORMAT_N, 2, 2, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x5F2A, "Transaction Currency Code", EMV_TAGS_FORMAT_N, 2, 2, EMV_TAGS_SOURCE_TERMINAL,
     EMV_TAGS_MASK_NONE},
    {0x5F2D, "Language Preference", EMV_TAGS_FORMAT_AN, 2, 8, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x5F30, "Service Code", EMV_TAGS_FORMAT_N, 2, 2, EMV_TAGS_SOURCE_CARD, EMV_TAGS_MASK_NONE},
    {0x5F34, "Application Primary Account Number (PAN) Sequence Number", EMV_TAGS_FORMAT_N, 1, 1,
     EMV_TAGS_SOURCE_CARD, EMV_TAGS_MASK_NONE},
    {0x5F36, "Transaction Currency Exponent", EMV_TAGS_FORMAT_N, 1, 1, EMV_TAGS_SOURCE_TERMINAL,
     EMV_TAGS_MASK_NONE},
    {0x5F50, "Issuer URL", EMV_TAGS_FORMAT_ANS, 0, 255, EMV_TAGS_SOURCE_CARD, EMV_TAGS_MASK_NONE},
    {0x5F53, "International Bank Account Number (IBAN)", EMV_TAGS_FORMAT_B, 0, 34,
     EMV_TAGS_SOURCE_CARD, EMV_TAGS_MASK_NONE},
    {0x5F54, "Bank Identifier Code (BIC)", EMV_TAGS_FORMAT_AN, 8, 11, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x5F55, "Issuer Country Code (alpha2 format)", EMV_TAGS_FORMAT_A, 2, 2, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x5F56, "Issuer Country Code (alpha3 format)", EMV_TAGS_FORMAT_A, 3, 3, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x5F57, "Account Type", EMV_TAGS_FORMAT_N, 1, 1, EMV_TAGS_SOURCE_TERMINAL, EMV_TAGS_MASK_NONE},
    {0x9F01, "Acquirer Identifier", EMV_TAGS_FORMAT_N, 6, 6, EMV_TAGS_SOURCE_TERMINAL,
     EMV_TAGS_MASK_NONE},
    {0x9F02, "Amount, Authorised (Numeric)", EMV_TAGS_FORMAT_N, 6, 6, EMV_TAGS_SOURCE_TERMINAL,
     EMV_TAGS_MASK_NONE},
    {0x9F03, "Amount, Other (Numeric)", EMV_TAGS_FORMAT_N, 6, 6, EMV_TAGS_SOURCE_TERMINAL,
     EMV_TAGS_MASK_NONE},
    {0x9F04, "Amount, Other (Binary)", EMV_TAGS_FORMAT_B, 4, 4, EMV_TAGS_SOURCE_TERMINAL,
     EMV_TAGS_MASK_NONE},
    {0x9F05, "Application Discretionary Data", EMV_TAGS_FORMAT_B, 1, 32, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x9F06, "Application Identifier (AID) - terminal", EMV_TAGS_FORMAT_B, 5, 16,
     EMV_TAGS_SOURCE_TERMINAL, EMV_TAGS_MASK_NONE},
    {0x9F07, "Application Usage Control", EMV_TAGS_FORMAT_B, 2, 2, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x9F08, "Application Version Number (card)", EMV_TAGS_FORMAT_B, 2, 2, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x9F09, "Application Version Number (terminal)", EMV_TAGS_FORMAT_B, 2, 2,
     EMV_TAGS_SOURCE_TERMINAL, EMV_TAGS_MASK_NONE},
    {0x9F0A, "Application Selection Registered Proprietary Data", EMV_TAGS_FORMAT_B, 0, 255,
     EMV_TAGS_SOURCE_CARD, EMV_TAGS_MASK_NONE},
    {0x9F0B, "Cardholder Name Extended", EMV_TAGS_FORMAT_ANS, 27, 45, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x9F0D, "Issuer Action Code - Default", EMV_TAGS_FORMAT_B, 5, 5, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x9F0E, "Issuer Action Code - Denial", EMV_TAGS_FORMAT_B, 5, 5, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x9F0F, "Issuer Action Code - Online", EMV_TAGS_FORMAT_B, 5, 5, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x9F10, "Issuer Application Data", EMV_TAGS_FORMAT_B, 0, 32, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x9F11, "Issuer Code Table Index", EMV_TAGS_FORMAT_N, 1, 1, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x9F12, "Application Preferred Name", EMV_TAGS_FORMAT_ANS, 1, 16, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x9F13, "Last Online Application Transaction Counter (ATC) Register", EMV_TAGS_FORMAT_B, 2, 2,
     EMV_TAGS_SOURCE_CARD, EMV_TAGS_MASK_NONE},
    {0x9F14, "Lower Consecutive Offline Limit", EMV_TAGS_FORMAT_B, 1, 1, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x9F15, "Merchant Category Code", EMV_TAGS_FORMAT_N, 2, 2, EMV_TAGS_SOURCE_TERMINAL,
     EMV_TAGS_MASK_NONE},
    {0x9F16, "Merchant Identifier", EMV_TAGS_FORMAT_ANS, 15, 15, EMV_TAGS_SOURCE_TERMINAL,
     EMV_TAGS_MASK_NONE},
    {0x9F17, "Personal Identification Number (PIN) Try Counter", EMV_TAGS_FORMAT_B, 1, 1,
     EMV_TAGS_SOURCE_CARD, EMV_TAGS_MASK_NONE},
    {0x9F18, "Issuer Script Identifier", EMV_TAGS_FORMAT_B, 4, 4, EMV_TAGS_SOURCE_ISSUER,
     EMV_TAGS_MASK_NONE},
    {0x9F19, "Token Requestor ID", EMV_TAGS_FORMAT_N, 6, 6, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x9F1A, "Terminal Country Code", EMV_TAGS_FORMAT_N, 2, 2, EMV_TAGS_SOURCE_TERMINAL,
     EMV_TAGS_MASK_NONE},
    {0x9F1B, "Terminal Floor Limit", EMV_TAGS_FORMAT_B, 4, 4, EMV_TAGS_SOURCE_TERMINAL,
     EMV_TAGS_MASK_NONE},
    {0x9F1C, "Terminal Identification", EMV_TAGS_FORMAT_AN, 8, 8, EMV_TAGS_SOURCE_TERMINAL,
     EMV_TAGS_MASK_NONE},
    {0x9F1D, "Terminal Risk Management Data", EMV_TAGS_FORMAT_B, 1, 8, EMV_TAGS_SOURCE_TERMINAL,
     EMV_TAGS_MASK_NONE},
    {0x9F1E, "Interface Device (IFD) Serial Number", EMV_TAGS_FORMAT_AN, 8, 8,
     EMV_TAGS_SOURCE_TERMINAL, EMV_TAGS_MASK_NONE},
    {0x9F1F, "Track 1 Discretionary Data", EMV_TAGS_FORMAT_ANS, 0, 255, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_FULL},
    {0x9F20, "Track 2 Discretionary Data", EMV_TAGS_FORMAT_CN, 0, 255, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_FULL},
    {0x9F21, "Transaction Time", EMV_TAGS_FORMAT_N, 3, 3, EMV_TAGS_SOURCE_TERMINAL,
     EMV_TAGS_MASK_NONE},
    {0x9F22, "Certification Authority Public Key Index (terminal)", EMV_TAGS_FORMAT_B, 1, 1,
     EMV_TAGS_SOURCE_TERMINAL, EMV_TAGS_MASK_NONE},
    {0x9F23, "Upper Consecutive Offline Limit", EMV_TAGS_FORMAT_B, 1, 1, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x9F24, "Payment Account Reference (PAR)", EMV_TAGS_FORMAT_AN, 29, 29, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x9F25, "Last 4 Digits of PAN", EMV_TAGS_FORMAT_N, 2, 2, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x9F26, "Application Cryptogram", EMV_TAGS_FORMAT_B, 8, 8, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x9F27, "Cryptogram Information Data", EMV_TAGS_FORMAT_B, 1, 1, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x9F29, "Extended Selection", EMV_TAGS_FORMAT_B, 0, 255, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x9F2A, "Kernel Identifier", EMV_TAGS_FORMAT_B, 1, 8, EMV_TAGS_SOURCE_TERMINAL,
     EMV_TAGS_MASK_NONE},
    {0x9F2D, "ICC PIN Encipherment Public Key Certificate", EMV_TAGS_FORMAT_B, 0, 255,
     EMV_TAGS_SOURCE_CARD, EMV_TAGS_MASK_NONE},
    {0x9F2E, "ICC PIN Encipherment Public Key Exponent", EMV_TAGS_FORMAT_B, 1, 3,
     EMV_TAGS_SOURCE_CARD, EMV_TAGS_MASK_NONE},
    {0x9F2F, "ICC PIN Encipherment Public Key Remainder", EMV_TAGS_FORMAT_B, 0, 255,
     EMV_TAGS_SOURCE_CARD, EMV_TAGS_MASK_NONE},
    {0x9F32, "Issuer Public Key Exponent", EMV_TAGS_FORMAT_B, 1, 3, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x9F33, "Terminal Capabilities", EMV_TAGS_FORMAT_B, 3, 3, EMV_TAGS_SOURCE_TERMINAL,
     EMV_TAGS_MASK_NONE},
    {0x9F34, "Cardholder Verification Method (CVM) Results", EMV_TAGS_FORMAT_B, 3, 3,
     EMV_TAGS_SOURCE_TERMINAL, EMV_TAGS_MASK_NONE},
    {0x9F35, "Terminal Type", EMV_TAGS_FORMAT_N, 1, 1, EMV_TAGS_SOURCE_TERMINAL,
     EMV_TAGS_MASK_NONE},
    {0x9F36, "Application Transaction Counter (ATC)", EMV_TAGS_FORMAT_B, 2, 2, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x9F37, "Unpredictable Number", EMV_TAGS_FORMAT_B, 4, 4, EMV_TAGS_SOURCE_TERMINAL,
     EMV_TAGS_MASK_NONE},
    {0x9F38, "Processing Options Data Object List (PDOL)", EMV_TAGS_FORMAT_B, 0, 255,
     EMV_TAGS_SOURCE_CARD, EMV_TAGS_MASK_NONE},
    {0x9F39, "Point-of-Service (POS) Entry Mode", EMV_TAGS_FORMAT_N, 1, 1, EMV_TAGS_SOURCE_TERMINAL,
     EMV_TAGS_MASK_NONE},
    {0x9F3A, "Amount, Reference Currency", EMV_TAGS_FORMAT_B, 4, 4, EMV_TAGS_SOURCE_TERMINAL,
     EMV_TAGS_MASK_NONE},
    {0x9F3B, "Application Reference Currency", EMV_TAGS_FORMAT_N, 2, 8, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x9F3C, "Transaction Reference Currency Code", EMV_TAGS_FORMAT_N, 2, 2,
     EMV_TAGS_SOURCE_TERMINAL, EMV_TAGS_MASK_NONE},
    {0x9F3D, "Transaction Reference Currency Exponent", EMV_TAGS_FORMAT_N, 1, 1,
     EMV_TAGS_SOURCE_TERMINAL, EMV_TAGS_MASK_NONE},
    {0x9F40, "Additional Terminal Capabilities", EMV_TAGS_FORMAT_B, 5, 5, EMV_TAGS_SOURCE_TERMINAL,
     EMV_TAGS_MASK_NONE},
    {0x9F41, "Transaction Sequence Counter", EMV_TAGS_FORMAT_N, 2, 4, EMV_TAGS_SOURCE_TERMINAL,
     EMV_TAGS_MASK_NONE},
    {0x9F42, "Application Currency Code", EMV_TAGS_FORMAT_N, 2, 2, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x9F43, "Application Reference Currency Exponent", EMV_TAGS_FORMAT_N, 1, 4,
     EMV_TAGS_SOURCE_CARD, EMV_TAGS_MASK_NONE},
    {0x9F44, "Application Currency Exponent", EMV_TAGS_FORMAT_N, 1, 1, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x9F45, "Data Authentication Code", EMV_TAGS_FORMAT_B, 2, 2, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x9F46, "ICC Public Key Certificate", EMV_TAGS_FORMAT_B, 0, 255, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x9F47, "ICC Public Key Exponent", EMV_TAGS_FORMAT_B, 1, 3, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x9F48, "ICC Public Key Remainder", EMV_TAGS_FORMAT_B, 0, 255, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x9F49, "Dynamic Data Authentication Data Object List (DDOL)", EMV_TAGS_FORMAT_B, 0, 252,
     EMV_TAGS_SOURCE_CARD, EMV_TAGS_MASK_NONE},
    {0x9F4A, "Static Data Authentication Tag List", EMV_TAGS_FORMAT_B, 0, 255, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x9F4B, "Signed Dynamic Application Data", EMV_TAGS_FORMAT_B, 0, 255, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x9F4C, "ICC Dynamic Number", EMV_TAGS_FORMAT_B, 2, 8, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x9F4D, "Log Entry", EMV_TAGS_FORMAT_B, 2, 2, EMV_TAGS_SOURCE_CARD, EMV_TAGS_MASK_NONE},
    {0x9F4E, "Merchant Name and Location", EMV_TAGS_FORMAT_ANS, 0, 255, EMV_TAGS_SOURCE_TERMINAL,
     EMV_TAGS_MASK_NONE},
    {0x9F4F, "Log Format", EMV_TAGS_FORMAT_B, 0, 255, EMV_TAGS_SOURCE_CARD, EMV_TAGS_MASK_NONE},
    {0x9F53, "Transaction Category Code", EMV_TAGS_FORMAT_AN, 1, 1, EMV_TAGS_SOURCE_TERMINAL,
     EMV_TAGS_MASK_NONE},
    {0x9F5A, "Application Program Identifier (Program ID)", EMV_TAGS_FORMAT_B, 1, 16,
     EMV_TAGS_SOURCE_CARD, EMV_TAGS_MASK_NONE},
    {0x9F5D, "Available Offline Spending Amount", EMV_TAGS_FORMAT_B, 6, 6, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x9F63, "Card Product Identification Information (UnionPay)", EMV_TAGS_FORMAT_B, 16, 16,
     EMV_TAGS_SOURCE_CARD, EMV_TAGS_MASK_NONE},
    {0x9F66, "Terminal Transaction Qualifiers (TTQ)", EMV_TAGS_FORMAT_B, 4, 4,
     EMV_TAGS_SOURCE_TERMINAL, EMV_TAGS_MASK_NONE},
    {0x9F6B, "Track 2 Data", EMV_TAGS_FORMAT_B, 0, 19, EMV_TAGS_SOURCE_CARD, EMV_TAGS_MASK_TRACK2},
    {0x9F6C, "Card Transaction Qualifiers (CTQ)", EMV_TAGS_FORMAT_B, 2, 2, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x9F6E, "Form Factor Indicator / Third Party Data", EMV_TAGS_FORMAT_B, 4, 32,
     EMV_TAGS_SOURCE_CARD, EMV_TAGS_MASK_NONE},
    {0x9F74, "Electronic Cash Issuer Authorisation Code (UnionPay)", EMV_TAGS_FORMAT_A, 6, 6,
     EMV_TAGS_SOURCE_CARD, EMV_TAGS_MASK_NONE},
    {0x9F79, "Electronic Cash Balance (UnionPay)", EMV_TAGS_FORMAT_N, 6, 6, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0x9F7A, "Electronic Cash Terminal Support Indicator (UnionPay)", EMV_TAGS_FORMAT_B, 1, 1,
     EMV_TAGS_SOURCE_TERMINAL, EMV_TAGS_MASK_NONE},
    {0x9F7C, "Customer Exclusive Data", EMV_TAGS_FORMAT_B, 0, 32, EMV_TAGS_SOURCE_CARD,
     EMV_TAGS_MASK_NONE},
    {0xBF0C, "File Control Information (FCI) Issuer Discretionary Data", EMV_TAGS_FORMAT_B, 0, 222,
     EMV_TAGS_SOURCE_CARD, EMV_TAGS_MASK_NONE},
    {0xDF31, "Issuer Script Results (UnionPay)", EMV_TAGS_FORMAT_B, 0, 255,
     EMV_TAGS_SOURCE_TERMINAL, EMV_TAGS_MASK_NONE},
};

#define EMV_TAGS__COUNT (sizeof(emv_tags__table) / sizeof(emv_tags__table[0]))

const struct emv_tags_entry *emv_tags_find(uint32_t tag)
{
    size_t lo = 0, hi = EMV_TAGS__COUNT;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (emv_tags__table[mid].tag == tag)
            return &emv_tags__table[mid];
        if (emv_tags__table[mid].tag < tag)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const char *emv_tags_name(uint32_t tag)
{
    const struct emv_tags_entry *e = emv_tags_find(tag);

    return e == NULL ? NULL : e->name;
}

bool emv_tags_is_sensitive(uint32_t tag)
{
    const struct emv_tags_entry *e = emv_tags_find(tag);

    return e != NULL && e->mask != EMV_TAGS_MASK_NONE;
}

size_t emv_tags_count(void)
{
    return EMV_TAGS__COUNT;
}

const struct emv_tags_entry *emv_tags_at(size_t i)
{
    return i < EMV_TAGS__COUNT ? &emv_tags__table[i] : NULL;
}

const char *emv_tags_format_name(enum emv_tags_format f)
{
    switch (f) {
    case EMV_TAGS_FORMAT_B:
        return "b";
    case EMV_TAGS_FORMAT_N:
        return "n";
    case EMV_TAGS_FORMAT_CN:
        return "cn";
    case EMV_TAGS_FORMAT_A:
        return "a";
    case EMV_TAGS_FORMAT_AN:
        return "an";
    case EMV_TAGS_FORMAT_ANS:
        return "ans";
    }
    return "?";
}

const char *emv_tags_source_name(enum emv_tags_source s)
{
    switch (s) {
    case EMV_TAGS_SOURCE_CARD:
        return "card";
    case EMV_TAGS_SOURCE_TERMINAL:
        return "terminal";
    case EMV_TAGS_SOURCE_ISSUER:
        return "issuer";
    }
    return "?";
}

/* Masks the leading run of decimal digits of text[0..n) in place (the PAN)
 * with card_pan_mask and returns its length. */
static size_t emv_tags__mask_pan_run(char *text, size_t n)
{
    char masked[CARD_PAN_MAX + 2];
    size_t run = 0;

    while (run < n && text[run] >= '0' && text[run] <= '9')
        run++;
    if (run > CARD_PAN_MAX) {
        memset(text, '*', run);
        return run;
    }
    /* cannot fail: masked holds CARD_PAN_MAX + 1 characters and a NUL */
    if (card_pan_mask(text, run, masked, sizeof(masked)) == POS_OK)
        memcpy(text, masked, run);
    else
        memset(text, '*', run);
    return run;
}

/* 5A: cn digits then F padding; anything else is masked in full. */
static void emv_tags__mask_pan(char *text, size_t n)
{
    size_t run = emv_tags__mask_pan_run(text, n), i;

    for (i = run; i < n; i++)
        if (text[i] != 'F')
            break;
    if (i != n || run < CARD_PAN_MIN)
        memset(text, '*', n);
}

/* 57 / 9F6B: PAN, 'D', then expiry, service code, discretionary data. */
static void emv_tags__mask_track2(char *text, size_t n)
{
    size_t run = emv_tags__mask_pan_run(text, n);

    if (run < CARD_PAN_MIN || run >= n || text[run] != 'D') {
        memset(text, '*', n);
        return;
    }
    memset(text + run + 1, '*', n - run - 1);
}

/* 56: ISO/IEC 7813 track 1 without sentinels: 'B' PAN '^' name '^' ...
 * Shown as text; a non-printable byte masks everything. */
static void emv_tags__mask_track1(const uint8_t *value, size_t len, char *text)
{
    size_t i, run = 0;
    bool printable = true;

    for (i = 0; i < len; i++) {
        if (value[i] < 0x20 || value[i] > 0x7E)
            printable = false;
        text[i] = (char)value[i];
    }
    if (!printable || len == 0 || text[0] != 'B') {
        memset(text, '*', len);
        return;
    }
    run = emv_tags__mask_pan_run(text + 1, len - 1);
    for (i = 1 + run; i < len; i++)
        if (text[i] != '^')
            text[i] = '*';
}

int emv_tags_format_value(uint32_t tag, const uint8_t *value, size_t len, bool mask, char *out,
                          size_t cap, size_t *out_len, bool *masked)
{
    const struct emv_tags_entry *e = emv_tags_find(tag);
    enum emv_tags_mask rule = (mask && e != NULL) ? e->mask : EMV_TAGS_MASK_NONE;
    size_t n;
    int rc;

    if (masked != NULL)
        *masked = false;
    if (out == NULL || (value == NULL && len > 0))
        return POS_ERR_INVAL;
    /* every form is at most 2*len characters and a NUL */
    if (cap == 0 || len > (cap - 1) / 2) {
        if (cap > 0)
            out[0] = '\0';
        return POS_ERR_NOSPACE;
    }
    if (rule == EMV_TAGS_MASK_TRACK1) {
        emv_tags__mask_track1(value, len, out);
        n = len;
    } else {
        n = 2 * len;
        rc = pos_hex_encode(value, len, out, cap);
        if (rc != POS_OK)
            return rc;
        if (rule == EMV_TAGS_MASK_PAN)
            emv_tags__mask_pan(out, n);
        else if (rule == EMV_TAGS_MASK_TRACK2)
            emv_tags__mask_track2(out, n);
        else if (rule == EMV_TAGS_MASK_FULL)
            memset(out, '*', n);
    }
    out[n] = '\0';
    if (out_len != NULL)
        *out_len = n;
    if (masked != NULL)
        *masked = rule != EMV_TAGS_MASK_NONE;
    return POS_OK;
}
