/* bench/threads.h: the --threads N table of P_conv_parallel (threads.c), printed after the forward rows. */
#ifndef BENCH_THREADS_H_INCLUDED
#define BENCH_THREADS_H_INCLUDED

#include "results.h"

/* Checks every forward row's P_conv_parallel against P_conv, then times both (and reads the
   oneDNN and XNNPACK times off the rows); returns the number of layers that differed. */
int bench_threads_table(const layer_result *rows, int n, const bench_timing *t);

#endif /* BENCH_THREADS_H_INCLUDED */
