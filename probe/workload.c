/*
 * drainworkload: a synthetic workload with known rates, for `drainlab record` to trace and
 * `drainlab fit-workload` to recover (docs/traces.md). A standalone program (its own main), built
 * beside the probe by probe/build.mjs.
 *
 * Threads, each pinned to one CPU and named so that `record --comm 'dwl-*'` can select them:
 *   dwl-w<cpu>   one writer per CPU: a new page of its own memfd every 1/write-rate s (pwrite of
 *                4 KiB at the next offset: shmem allocates the page and parks it in this CPU's
 *                lru_add batch, docs/kernel-model.md OP7); the memfd is truncated every 4096 pages.
 *   dwl-seal     every 1/seal-rate s: memfd_create, write seal-pages pages from the *other* CPU
 *                (they park in its batch), come back and fcntl(F_ADD_SEALS, F_SEAL_WRITE). The
 *                seal's local drain cannot release them, so 6.18 calls lru_add_drain_all (OP2).
 *                Every pin-every-th seal first pins one page with vmsplice (a GUP reference),
 *                released by dwl-unpin pin-ms later: a pin shorter than the wait loop gives an ok
 *                after one or more re-checks, a longer one an EBUSY.
 *   dwl-fadv     every 1/drain-rate s: reads one page of a file on disk into the page cache
 *                from the other CPU (it parks in that CPU's lru_add batch), then calls
 *                posix_fadvise(POSIX_FADV_DONTNEED) on it. The batch's reference keeps the page
 *                from being evicted, so generic_fadvise calls lru_add_drain_all (mm/fadvise.c):
 *                the "fadvise-style" background drain caller.
 * Arrivals are periodic (absolute clock_nanosleep deadlines), so the known rates are exact.
 * At the end one JSON line on stdout says what was done: the known parameters and the counts.
 * SIGINT/SIGTERM stop it early, the JSON line still printed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#ifndef F_ADD_SEALS
#define F_ADD_SEALS 1033
#define F_SEAL_WRITE 0x0008
#endif
#ifndef MFD_ALLOW_SEALING
#define MFD_ALLOW_SEALING 2U
#endif

static double opt_seconds = 20, opt_write_rate = 500, opt_seal_rate = 5, opt_drain_rate = 10;
static int opt_seal_pages = 8, opt_pin_every = 0, opt_pin_ms = 50, opt_seal_cpu = 0, opt_fadv_cpu = 0;
static int opt_cpus[64], opt_ncpus;
static const char *opt_dir = "/tmp";
static atomic_int stop;
static int64_t t_end;
static long g_page;

static atomic_long written[64];
static atomic_long seals_ok, seals_ebusy, seals_other, pins_taken, fadvise_calls;

static int64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* Sleep until the absolute CLOCK_MONOTONIC time t; false when it is past the end or stopping. */
static int sleep_until(int64_t t)
{
	if (t >= t_end || atomic_load(&stop))
		return 0;
	struct timespec ts = { .tv_sec = t / 1000000000LL, .tv_nsec = t % 1000000000LL };
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		if (atomic_load(&stop))
			return 0;
	return !atomic_load(&stop);
}

static void pin_to(int cpu)
{
	cpu_set_t s;
	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	if (sched_setaffinity(0, sizeof s, &s) < 0) {
		fprintf(stderr, "drainworkload: sched_setaffinity(%d): %s\n", cpu, strerror(errno));
		exit(1);
	}
}

static void name(const char *n)
{
	pthread_setname_np(pthread_self(), n);
}

static void *writer(void *arg)
{
	int i = (int)(intptr_t)arg, cpu = opt_cpus[i];
	char nm[16];
	snprintf(nm, sizeof nm, "dwl-w%d", cpu);
	name(nm);
	pin_to(cpu);
	int fd = memfd_create(nm, 0);
	if (fd < 0)
		return NULL;
	char *buf = calloc(1, (size_t)g_page);
	memset(buf, 0x5a, (size_t)g_page);
	const int64_t period = (int64_t)(1e9 / opt_write_rate);
	int64_t t = now_ns();
	long k = 0;
	while (sleep_until(t += period)) {
		if (k == 4096) {
			ftruncate(fd, 0); /* frees the pages; new writes allocate again */
			k = 0;
		}
		if (pwrite(fd, buf, (size_t)g_page, (off_t)k * g_page) == g_page)
			atomic_fetch_add(&written[i], 1);
		k++;
	}
	free(buf);
	close(fd);
	return NULL;
}

/* The pin dwl-unpin releases: a pipe holding a vmsplice'd page, and when to close it. */
static pthread_mutex_t pin_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pin_cv = PTHREAD_COND_INITIALIZER;
static int pin_pipe[2] = { -1, -1 };
static int64_t pin_release_at;

static void *unpinner(void *arg)
{
	(void)arg;
	name("dwl-unpin");
	pin_to(opt_seal_cpu);
	pthread_mutex_lock(&pin_mu);
	for (;;) {
		while (pin_pipe[0] < 0 && !atomic_load(&stop))
			pthread_cond_wait(&pin_cv, &pin_mu);
		if (pin_pipe[0] < 0)
			break;
		int64_t at = pin_release_at;
		pthread_mutex_unlock(&pin_mu);
		struct timespec ts = { .tv_sec = at / 1000000000LL, .tv_nsec = at % 1000000000LL };
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
		pthread_mutex_lock(&pin_mu);
		close(pin_pipe[0]); /* the pipe buffer goes, and with it the page reference */
		close(pin_pipe[1]);
		pin_pipe[0] = pin_pipe[1] = -1;
		pthread_cond_broadcast(&pin_cv);
	}
	pthread_mutex_unlock(&pin_mu);
	return NULL;
}

static int other_cpu(int cpu)
{
	for (int i = 0; i < opt_ncpus; i++)
		if (opt_cpus[i] != cpu)
			return opt_cpus[i];
	return cpu;
}

static void *sealer(void *arg)
{
	(void)arg;
	name("dwl-seal");
	pin_to(opt_seal_cpu);
	const int64_t period = (int64_t)(1e9 / opt_seal_rate);
	const int remote = other_cpu(opt_seal_cpu);
	size_t len = (size_t)opt_seal_pages * (size_t)g_page;
	char *buf = malloc(len);
	memset(buf, 0xa5, len);
	int64_t t = now_ns();
	long n = 0;
	while (sleep_until(t += period)) {
		int fd = memfd_create("dwl-sealed", MFD_ALLOW_SEALING);
		if (fd < 0)
			break;
		pin_to(remote); /* the pages park in the remote CPU's lru_add batch */
		ssize_t w = pwrite(fd, buf, len, 0);
		pin_to(opt_seal_cpu);
		int pinned = 0;
		if (w == (ssize_t)len && opt_pin_every > 0 && ++n % opt_pin_every == 0) {
			/* wait for the previous pin to go (there is one pin at a time) */
			pthread_mutex_lock(&pin_mu);
			while (pin_pipe[0] >= 0)
				pthread_cond_wait(&pin_cv, &pin_mu);
			pthread_mutex_unlock(&pin_mu);
			int p[2];
			void *map = mmap(NULL, (size_t)g_page, PROT_READ, MAP_SHARED, fd, 0);
			if (map != MAP_FAILED && pipe(p) == 0) {
				struct iovec iov = { map, (size_t)g_page };
				if (vmsplice(p[1], &iov, 1, 0) == g_page) {
					pinned = 1;
					atomic_fetch_add(&pins_taken, 1);
					pthread_mutex_lock(&pin_mu);
					pin_pipe[0] = p[0];
					pin_pipe[1] = p[1];
					pin_release_at = now_ns() + (int64_t)opt_pin_ms * 1000000LL;
					pthread_cond_broadcast(&pin_cv);
					pthread_mutex_unlock(&pin_mu);
				} else {
					close(p[0]);
					close(p[1]);
				}
			}
			if (map != MAP_FAILED)
				munmap(map, (size_t)g_page); /* no shared writable mapping may remain (OP1.4a) */
		}
		int r = fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE);
		if (r == 0)
			atomic_fetch_add(&seals_ok, 1);
		else if (errno == EBUSY)
			atomic_fetch_add(&seals_ebusy, 1);
		else
			atomic_fetch_add(&seals_other, 1);
		(void)pinned;
		close(fd);
	}
	free(buf);
	return NULL;
}

static void *fadviser(void *arg)
{
	(void)arg;
	name("dwl-fadv");
	pin_to(opt_fadv_cpu);
	char path[512];
	snprintf(path, sizeof path, "%s/drainworkload-%d.dat", opt_dir, (int)getpid());
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "drainworkload: %s: %s (no fadvise caller)\n", path, strerror(errno));
		return NULL;
	}
	unlink(path);
	char *buf = calloc(1, (size_t)g_page);
	const int64_t period = (int64_t)(1e9 / opt_drain_rate);
	int64_t t = now_ns();
	const int remote = other_cpu(opt_fadv_cpu);
	/* one clean page on disk, read back into the page cache on the other CPU each time */
	if (pwrite(fd, buf, (size_t)g_page, 0) != g_page || fsync(fd) < 0) {
		fprintf(stderr, "drainworkload: %s: %s (no fadvise caller)\n", path, strerror(errno));
		close(fd);
		free(buf);
		return NULL;
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM); /* no readahead: one page a read */
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	while (sleep_until(t += period)) {
		/* the page, read on the other CPU, waits in its lru_add batch holding the batch's
		 * reference: DONTNEED cannot evict it and calls lru_add_drain_all (mm/fadvise.c) */
		pin_to(remote);
		ssize_t r = pread(fd, buf, (size_t)g_page, 0);
		pin_to(opt_fadv_cpu);
		if (r != g_page)
			break;
		if (posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) == 0)
			atomic_fetch_add(&fadvise_calls, 1);
	}
	free(buf);
	close(fd);
	return NULL;
}

static void on_signal(int sig)
{
	(void)sig;
	atomic_store(&stop, 1);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: drainworkload [--seconds S] [--cpus 0,1] [--write-rate PAGES_PER_S_PER_CPU] [--seal-rate PER_S]\n"
		"                     [--seal-cpu N] [--seal-pages N] [--pin-every K] [--pin-ms MS] [--drain-rate PER_S]\n"
		"                     [--fadvise-cpu N] [--dir DIR]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	g_page = sysconf(_SC_PAGESIZE);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!v)
			usage();
		if (!strcmp(a, "--seconds"))
			opt_seconds = atof(v);
		else if (!strcmp(a, "--write-rate"))
			opt_write_rate = atof(v);
		else if (!strcmp(a, "--seal-rate"))
			opt_seal_rate = atof(v);
		else if (!strcmp(a, "--drain-rate"))
			opt_drain_rate = atof(v);
		else if (!strcmp(a, "--seal-pages"))
			opt_seal_pages = atoi(v);
		else if (!strcmp(a, "--pin-every"))
			opt_pin_every = atoi(v);
		else if (!strcmp(a, "--pin-ms"))
			opt_pin_ms = atoi(v);
		else if (!strcmp(a, "--seal-cpu"))
			opt_seal_cpu = atoi(v);
		else if (!strcmp(a, "--fadvise-cpu"))
			opt_fadv_cpu = atoi(v);
		else if (!strcmp(a, "--dir"))
			opt_dir = v;
		else if (!strcmp(a, "--cpus")) {
			char *s = strdup(v), *save = NULL;
			for (char *t = strtok_r(s, ",", &save); t && opt_ncpus < 64; t = strtok_r(NULL, ",", &save))
				opt_cpus[opt_ncpus++] = atoi(t);
			free(s);
		} else
			usage();
		i++;
	}
	if (opt_ncpus == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		for (int c = 0; c < n && c < 64; c++)
			opt_cpus[opt_ncpus++] = c;
	}
	if (opt_seconds <= 0 || opt_write_rate < 0 || opt_seal_rate < 0 || opt_drain_rate < 0 || opt_seal_pages < 1)
		usage();
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	int64_t t0 = now_ns();
	t_end = t0 + (int64_t)(opt_seconds * 1e9);
	pthread_t th[70];
	int nt = 0;
	if (opt_write_rate > 0)
		for (int i = 0; i < opt_ncpus; i++)
			pthread_create(&th[nt++], NULL, writer, (void *)(intptr_t)i);
	pthread_t un;
	int have_un = opt_seal_rate > 0 && opt_pin_every > 0 && pthread_create(&un, NULL, unpinner, NULL) == 0;
	if (opt_seal_rate > 0)
		pthread_create(&th[nt++], NULL, sealer, NULL);
	if (opt_drain_rate > 0)
		pthread_create(&th[nt++], NULL, fadviser, NULL);
	for (int i = 0; i < nt; i++)
		pthread_join(th[i], NULL);
	if (have_un) {
		atomic_store(&stop, 1);
		pthread_mutex_lock(&pin_mu);
		pthread_cond_broadcast(&pin_cv);
		pthread_mutex_unlock(&pin_mu);
		pthread_join(un, NULL);
	}
	double secs = (double)(now_ns() - t0) / 1e9;
	printf("{\"type\":\"workload\",\"seconds\":%.3f,\"writeRatePerCpu\":%g,\"sealRate\":%g,\"sealCpu\":%d,\"sealPages\":%d,"
	       "\"pinEvery\":%d,\"pinMs\":%d,\"drainRate\":%g,\"fadviseCpu\":%d,\"cpus\":[",
	       secs, opt_write_rate, opt_seal_rate, opt_seal_cpu, opt_seal_pages, opt_pin_every, opt_pin_ms, opt_drain_rate, opt_fadv_cpu);
	for (int i = 0; i < opt_ncpus; i++)
		printf("%s%d", i ? "," : "", opt_cpus[i]);
	printf("],\"pagesWritten\":[");
	for (int i = 0; i < opt_ncpus; i++)
		printf("%s%ld", i ? "," : "", atomic_load(&written[i]));
	printf("],\"sealsOk\":%ld,\"sealsEbusy\":%ld,\"sealsOther\":%ld,\"pins\":%ld,\"fadviseCalls\":%ld}\n",
	       atomic_load(&seals_ok), atomic_load(&seals_ebusy), atomic_load(&seals_other), atomic_load(&pins_taken),
	       atomic_load(&fadvise_calls));
	return 0;
}
