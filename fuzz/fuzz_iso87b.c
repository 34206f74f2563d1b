/* Fuzz target: ISO 8583 dialect iso87b — decode, re-encode, decode, compare
 * (fuzz_iso8583.h). Seeds: fuzz/corpus/iso87b/ (the test vectors). */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_iso8583.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_iso8583_roundtrip("iso87b", data, size);
}
