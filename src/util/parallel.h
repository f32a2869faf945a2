/* parallel.h - a parallel for-loop over task indexes.
 *
 * parallel_for(nthreads, ntasks, fn, arg) calls fn(task, worker, arg) once
 * for each task in [0, ntasks), spreading tasks over up to nthreads workers
 * (the calling thread is worker 0) that take the next index from an atomic
 * counter.  Tasks should be coarse (a chunk of resources, a file), so the
 * counter is never contended.  With nthreads <= 1 or ntasks <= 1 it runs
 * inline, which keeps small scans free of thread start-up costs.
 */
#ifndef CUSTOS_PARALLEL_H
#define CUSTOS_PARALLEL_H

#include <stddef.h>

typedef void (*parallel_fn)(size_t task, int worker, void *arg);

void parallel_for(int nthreads, size_t ntasks, parallel_fn fn, void *arg);
int parallel_default_threads(void); /* online CPUs, at least 1 */

#endif
