/* parallel.c - see parallel.h.  Threads are created per call: a scan makes
 * few calls with large tasks, and a pool would add shutdown and error paths
 * for a saving measured in microseconds. */
#include "util/parallel.h"

#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

typedef struct job {
    parallel_fn fn;
    void *arg;
    size_t ntasks;
    atomic_size_t next;
} job;

typedef struct worker_arg {
    job *j;
    int id;
} worker_arg;

static void *worker_main(void *p)
{
    worker_arg *w = p;
    job *j = w->j;
    for (;;) {
        size_t t = atomic_fetch_add(&j->next, 1);
        if (t >= j->ntasks) break;
        j->fn(t, w->id, j->arg);
    }
    return NULL;
}

void parallel_for(int nthreads, size_t ntasks, parallel_fn fn, void *arg)
{
    if (nthreads > 64) nthreads = 64;
    if ((size_t)nthreads > ntasks) nthreads = (int)ntasks;
    if (nthreads <= 1) {
        for (size_t t = 0; t < ntasks; t++)
            fn(t, 0, arg);
        return;
    }
    job j = {.fn = fn, .arg = arg, .ntasks = ntasks};
    atomic_init(&j.next, 0);
    pthread_t th[64];
    worker_arg wa[64];
    int started = 1;
    for (int i = 1; i < nthreads; i++) {
        wa[i] = (worker_arg){&j, i};
        if (pthread_create(&th[i], NULL, worker_main, &wa[i]) != 0) break;
        started++;
    }
    wa[0] = (worker_arg){&j, 0};
    worker_main(&wa[0]);
    for (int i = 1; i < started; i++)
        pthread_join(th[i], NULL);
}

int parallel_default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)(n > 64 ? 64 : n) : 1;
}
