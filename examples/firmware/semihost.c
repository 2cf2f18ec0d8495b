/* Arm semihosting calls (SYS_WRITE0, SYS_EXIT_EXTENDED, SYS_EXIT) for the bare-metal firmware. */
#include "semihost.h"

#include <stdint.h>

#define SYS_WRITE0 0x04
#define SYS_EXIT 0x18
#define SYS_EXIT_EXTENDED 0x20
#define ADP_STOPPED_APPLICATION_EXIT 0x20026u
#define ADP_STOPPED_RUNTIME_ERROR_UNKNOWN 0x20023u

/* M-profile semihosting: operation in r0, argument in r1, BKPT 0xAB traps to
   the host, result in r0. Without a host attached (no debugger, no QEMU
   -semihosting) the BKPT escalates to HardFault: this is test firmware. */
static uint32_t semihost_call(uint32_t op, const void *arg) {
  register uint32_t r0 __asm__("r0") = op;
  register const void *r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

void fw_write(const char *text) {
  (void)semihost_call(SYS_WRITE0, text);
}

void fw_exit(int status) {
  /* The extended call carries the status; a host without it returns, and the
     plain SYS_EXIT can only tell success (exit 0) from failure (exit 1). */
  uint32_t block[2];
  block[0] = ADP_STOPPED_APPLICATION_EXIT;
  block[1] = (uint32_t)status;
  (void)semihost_call(SYS_EXIT_EXTENDED, block);
  (void)semihost_call(SYS_EXIT, (const void *)(uintptr_t)(status == 0
                                                     ? ADP_STOPPED_APPLICATION_EXIT
                                                     : ADP_STOPPED_RUNTIME_ERROR_UNKNOWN));
  for (;;) {
  }
}
