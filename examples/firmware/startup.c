/* Cortex-M4F start-up for the firmware: vector table, reset handler (FPU on, .data copied, .bss zeroed) and fault handlers. */
#include <stdint.h>

#include "semihost.h"

int main(void);
void fw_reset(void);

/* Defined by mps2_an386.ld. */
extern uint32_t __stack_top__;
extern uint32_t __data_load__, __data_start__, __data_end__;
extern uint32_t __bss_start__, __bss_end__;

#define SCB_CPACR (*(volatile uint32_t *)0xE000ED88u)

/* A fault in this firmware is a bug (or a BKPT without a semihosting host):
   say which one, then stop with a status of its own. */
static void fault(const char *what) {
  fw_write("FAULT: ");
  fw_write(what);
  fw_write("\n");
  fw_exit(3);
}
static void on_nmi(void) { fault("NMI"); }
static void on_hard_fault(void) { fault("HardFault"); }
static void on_mem_manage(void) { fault("MemManage"); }
static void on_bus_fault(void) { fault("BusFault"); }
static void on_usage_fault(void) { fault("UsageFault"); }
static void on_unexpected(void) { fault("unexpected exception or interrupt"); }

/* Initial stack pointer, then the 15 system exception vectors of ARMv7-M.
   No interrupt is ever enabled, so the table stops there. */
typedef void (*fw_handler)(void);
typedef struct {
  uint32_t *initial_sp;
  fw_handler vectors[15];
} fw_vector_table;

__attribute__((section(".isr_vector"), used))
const fw_vector_table fw_vectors = {
  &__stack_top__,
  {
    fw_reset,       /* Reset */
    on_nmi,         /* NMI */
    on_hard_fault,  /* HardFault */
    on_mem_manage,  /* MemManage */
    on_bus_fault,   /* BusFault */
    on_usage_fault, /* UsageFault */
    0, 0, 0, 0,     /* reserved */
    on_unexpected,  /* SVCall */
    on_unexpected,  /* DebugMonitor */
    0,              /* reserved */
    on_unexpected,  /* PendSV */
    on_unexpected,  /* SysTick */
  },
};

/* Runs before anything else: no floating-point instruction may come before
   the FPU is switched on, which is why this only moves words. */
void fw_reset(void) {
  uint32_t *dst;
  const uint32_t *src;

  SCB_CPACR |= 0xFu << 20; /* CP10 and CP11: full access */
  __asm__ volatile("dsb\n\tisb" ::: "memory");

  for (src = &__data_load__, dst = &__data_start__; dst < &__data_end__;)
    *dst++ = *src++;
  for (dst = &__bss_start__; dst < &__bss_end__;)
    *dst++ = 0;

  fw_exit(main());
}
