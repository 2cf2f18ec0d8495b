/* Number output for the bare-metal firmware over semihosting: unsigned integers and three-digit scientific notation. */
#ifndef FW_PRINT_H_INCLUDED
#define FW_PRINT_H_INCLUDED

#include <stdint.h>

/* v in decimal. */
void fw_put_uint(uint32_t v);

/* v in decimal, 64 bits wide (instruction counts past 2^32). */
void fw_put_u64(uint64_t v);

/* v as d.dde[+-]XX, three significant digits, in float arithmetic only
   (no libm, no printf on the target). */
void fw_put_sci(float v);

#endif /* FW_PRINT_H_INCLUDED */
