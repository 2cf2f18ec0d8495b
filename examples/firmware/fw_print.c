/* Number output for the bare-metal firmware over semihosting (no printf on the target). */
#include "fw_print.h"

#include "semihost.h"

void fw_put_u64(uint64_t v) {
  char buf[24];
  int i = (int)sizeof buf - 1;
  buf[i] = '\0';
  do {
    buf[--i] = (char)('0' + (int)(v % 10u));
    v /= 10u;
  } while (v != 0);
  fw_write(buf + i);
}

void fw_put_uint(uint32_t v) { fw_put_u64(v); }

void fw_put_sci(float v) {
  char buf[16];
  int n = 0, exp10 = 0, digits;
  if (v != v) {
    fw_write("nan");
    return;
  }
  if (v < 0.0f) {
    buf[n++] = '-';
    v = -v;
  }
  if (v > 3.0e38f) {
    buf[n] = '\0';
    fw_write(buf);
    fw_write("inf");
    return;
  }
  if (v != 0.0f) {
    while (v >= 10.0f) {
      v /= 10.0f;
      ++exp10;
    }
    while (v < 1.0f) {
      v *= 10.0f;
      --exp10;
    }
  }
  digits = (int)(v * 100.0f + 0.5f); /* 100..1000 */
  if (digits >= 1000) {
    digits /= 10;
    ++exp10;
  }
  buf[n++] = (char)('0' + digits / 100);
  buf[n++] = '.';
  buf[n++] = (char)('0' + digits / 10 % 10);
  buf[n++] = (char)('0' + digits % 10);
  buf[n++] = 'e';
  buf[n++] = exp10 < 0 ? '-' : '+';
  if (exp10 < 0)
    exp10 = -exp10;
  buf[n++] = (char)('0' + exp10 / 10 % 10);
  buf[n++] = (char)('0' + exp10 % 10);
  buf[n] = '\0';
  fw_write(buf);
}
