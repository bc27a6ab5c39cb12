/*
 * Case g: the facts a kernel shows even when its clock cannot be trusted (a TCG guest), each
 * as one {"kind":"guest"} line (docs/calibration.md "Case g"):
 *   park        pages written from K chosen CPUs of N (each CPU's lru_add batch holds them,
 *               docs/kernel-model.md A2, OP7); which CPUs got lru_add_drain_per_cpu work for
 *               the seal (OP5.4: only CPUs whose batches are not empty), and ok/EBUSY.
 *   fill        n = 14, 15, 16, 30, 31, 32 new pages from one CPU: a batch drains by itself when
 *               its PAGEVEC_SIZE-th page goes in (C1: 15 on 6.1, 31 from 6.9), so the pages on the
 *               LRU before the seal (/proc/kpageflags) and the drain work the seal queues tell
 *               the kernel's batch size.
 *   reread      pages moved to the LRU (a local drain on their CPU), then read again there:
 *               folio_mark_accessed() parks them in that CPU's activate batch, unless the
 *               multi-gen LRU is enabled (then it only counts the reference: no batch, no work).
 *   pin         vmsplice pins (as in case a) released early, in the middle of the last sleep,
 *               half a sleep after the last re-check, or after the seal returned: ok, ok,
 *               EBUSY, EBUSY (OP2.2, C2).
 *   concurrent  S sealers at once, each with pages parked on its own CPU: all ok, and the
 *               union of the CPUs that got work is the set of parking CPUs (OP5' piggyback
 *               decides who does the work, not where it goes).
 * Before each measurement a flush seal (a page parked on another CPU, so the seal calls
 * lru_add_drain_all) empties every CPU's batches, and the trace buffer is cleared after it.
 * Times are recorded too; they are compared only where timings are calibrated (KVM, host).
 */
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#define G_MAXCPU 64
#define KPF_LRU 5

static long g_ncpu;
static int g_rep; /* repetition of the whole case (--reps) */
static char *g_wbuf; /* one page of data every writer copies from */

/* --- work on a chosen CPU: a thread bound to it runs one step and ends ------------------------ */

enum gop { G_WRITE, G_LOCAL_DRAIN, G_READ, G_REREAD };
struct gjob {
	int cpu; enum gop op; int fd; long lo, n; int err;
	/* fill: a mapping of the file and the kpageflags reader, to see when page lo first is on
	 * the LRU (its batch drained); drained_at: our pages written by then (0: never) */
	const volatile char *map; int pm, kf; int drained_at;
	int on_lru; /* fill: our pages on the LRU right after the last write (-1: not read) */
};

/* munmap drains this CPU's batches (unmap_region / vms_clear_ptes: lru_add_drain()), no other CPU's */
static int local_drain(void)
{
	void *p = mmap(NULL, (size_t)g_page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return errno;
	munmap(p, (size_t)g_page);
	return 0;
}

/* PG_lru of the page mapped at va (touched to map it), or -1 when not readable (needs root). */
static int kpf_lru_at(int pm, int kf, const volatile char *va)
{
	(void)va[0];
	uint64_t e = 0, f = 0;
	if (pm < 0 || kf < 0 || pread(pm, &e, 8, (off_t)((uintptr_t)va / (uintptr_t)g_page) * 8) != 8 || !(e >> 63))
		return -1;
	uint64_t pfn = e & ((1ULL << 55) - 1);
	if (!pfn || pread(kf, &f, 8, (off_t)pfn * 8) != 8)
		return -1; /* PFNs hidden without CAP_SYS_ADMIN */
	return (int)((f >> KPF_LRU) & 1);
}

static int rw_pages(struct gjob *j, bool write)
{
	for (long i = 0; i < j->n; i++) {
		off_t off = (off_t)(j->lo + i) * g_page;
		char b[256];
		/* a write allocates a new page: shmem parks it in this CPU's lru_add batch; a read from
		 * a page's start calls folio_mark_accessed() */
		ssize_t r = write ? pwrite(j->fd, g_wbuf, (size_t)g_page, off) : pread(j->fd, b, sizeof b, off);
		if (r <= 0)
			return r < 0 ? errno : EIO;
		if (write && j->map && !j->drained_at && kpf_lru_at(j->pm, j->kf, j->map) == 1)
			j->drained_at = (int)(i + 1);
	}
	if (write && j->map) {
		/* counted here, on this CPU, before other tasks can run on it again */
		j->on_lru = 0;
		for (long i = 0; i < j->n && j->on_lru >= 0; i++) {
			int l = kpf_lru_at(j->pm, j->kf, j->map + (size_t)i * (size_t)g_page);
			j->on_lru = l < 0 ? -1 : j->on_lru + l;
		}
	}
	return 0;
}

static void gjob_do(struct gjob *j)
{
	/* SCHED_FIFO for the short burst (nice -20 where RT is not allowed), and a local drain
	 * first: other tasks on this CPU do not run between the drain and the last page, so none of
	 * their pages enter the batch in between (a loaded host). The burst is at most 32 page
	 * writes; RLIMIT_RTTIME (main) is the backstop. */
	struct sched_param sp = { .sched_priority = 1 }, other = { .sched_priority = 0 };
	bool rt = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) == 0;
	if (!rt)
		setpriority(PRIO_PROCESS, (id_t)gettid(), -20);
	if ((j->err = local_drain()))
		goto out;
	switch (j->op) {
	case G_LOCAL_DRAIN:
		break;
	case G_WRITE:
		j->err = rw_pages(j, true);
		break;
	case G_READ:
		j->err = rw_pages(j, false);
		break;
	case G_REREAD:
		/* write (new pages, PG_referenced), drain (onto the LRU), read again: referenced + on
		 * the LRU + inactive -> folio_activate() parks them in this CPU's activate batch */
		if (!(j->err = rw_pages(j, true)) && !(j->err = local_drain()))
			j->err = rw_pages(j, false);
		break;
	}
out:
	if (rt)
		pthread_setschedparam(pthread_self(), SCHED_OTHER, &other);
}

/*
 * One worker thread per CPU, alive for the whole case: a thread that ends drains its CPU's
 * batches on the way out (glibc gives back the unused part of its stack with
 * madvise(MADV_DONTNEED), and the zap calls lru_add_drain(); seen on 6.1, where every page a
 * short-lived writer parked was on the LRU by the time of the seal). Between jobs a worker
 * sleeps on its condition variable, which drains nothing.
 */
struct gworker {
	pthread_t th; int cpu; bool up, quit;
	pthread_mutex_t mu; pthread_cond_t cv;
	struct gjob *job; /* set by the caller, cleared by the worker when done */
};
static struct gworker g_workers[G_MAXCPU];

static void *gworker_main(void *arg)
{
	struct gworker *w = arg;
	int pe = pin_self(w->cpu) ? errno : 0;
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->job && !w->quit)
			pthread_cond_wait(&w->cv, &w->mu);
		if (!w->job)
			break;
		struct gjob *j = w->job;
		pthread_mutex_unlock(&w->mu);
		if (pe)
			j->err = pe;
		else
			gjob_do(j);
		pthread_mutex_lock(&w->mu);
		w->job = NULL;
		pthread_cond_broadcast(&w->cv);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

static int run_job(struct gjob *j)
{
	if (j->cpu < 0 || j->cpu >= G_MAXCPU)
		return EINVAL;
	struct gworker *w = &g_workers[j->cpu];
	if (!w->up) {
		w->cpu = j->cpu;
		w->quit = false;
		w->job = NULL;
		pthread_mutex_init(&w->mu, NULL);
		pthread_cond_init(&w->cv, NULL);
		int e = pthread_create(&w->th, NULL, gworker_main, w);
		if (e)
			return e;
		w->up = true;
	}
	pthread_mutex_lock(&w->mu);
	w->job = j;
	pthread_cond_broadcast(&w->cv);
	while (w->job)
		pthread_cond_wait(&w->cv, &w->mu);
	pthread_mutex_unlock(&w->mu);
	return j->err;
}

static void workers_stop(void)
{
	for (int c = 0; c < G_MAXCPU; c++) {
		struct gworker *w = &g_workers[c];
		if (!w->up)
			continue;
		pthread_mutex_lock(&w->mu);
		w->quit = true;
		pthread_cond_broadcast(&w->cv);
		pthread_mutex_unlock(&w->mu);
		pthread_join(w->th, NULL);
		pthread_mutex_destroy(&w->mu);
		pthread_cond_destroy(&w->cv);
		w->up = false;
	}
}

/* Runs one step on `cpu` and waits for it; 0 or an errno. */
static int on_cpu(int cpu, enum gop op, int fd, long lo, long n)
{
	struct gjob j = { .cpu = cpu, .op = op, .fd = fd, .lo = lo, .n = n, .pm = -1, .kf = -1 };
	return run_job(&j);
}

/* Pages of fd [lo, lo+n) on an LRU list (PG_lru, /proc/kpageflags), or -1 when not readable
 * (needs root). Mapping takes no batch ref; the munmap drains only the calling CPU's batches. */
static int kpf_on_lru(int fd, long lo, long n)
{
	size_t len = (size_t)n * (size_t)g_page;
	volatile char *p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, (off_t)lo * g_page);
	if (p == MAP_FAILED)
		return -1;
	int pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	int kf = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	int on = 0;
	for (long i = 0; i < n && on >= 0; i++) {
		int l = kpf_lru_at(pm, kf, p + (size_t)i * (size_t)g_page);
		on = l < 0 ? -1 : on + l;
	}
	if (pm >= 0)
		close(pm);
	if (kf >= 0)
		close(kf);
	munmap((void *)p, len);
	return on;
}

/* The other CPU a flush page goes to: the remote CPU, or any CPU other than the seal CPU. */
static int other_cpu(void)
{
	if (g_opt.remote_cpu < g_ncpu && g_opt.remote_cpu != g_opt.seal_cpu)
		return g_opt.remote_cpu;
	return g_opt.seal_cpu == 0 ? 1 : 0;
}

/* A seal whose page waits in another CPU's batch: lru_add_drain_all() empties every CPU's
 * batches, so the measurement after it starts from empty batches. Not measured. */
static void flush_all(void)
{
	int fd = memfd_new("drainprobe-g-flush", 1);
	if (fd < 0)
		return;
	on_cpu(other_cpu(), G_WRITE, fd, 0, 1);
	seal_write(fd);
	close(fd);
	if (trace_active())
		trace_clear();
}

/* --- one line per measurement -------------------------------------------------------------- */

static void cpu_list(char *out, size_t n, const int *cpus, int k)
{
	size_t o = (size_t)snprintf(out, n, "[");
	for (int i = 0; i < k && o < n; i++)
		o += (size_t)snprintf(out + o, n - o, "%s%d", i ? "," : "", cpus[i]);
	if (o < n)
		snprintf(out + o, n - o, "]");
}

static void seal_list(char *out, size_t n, const struct seal *s, const int *cpus, int k)
{
	size_t o = (size_t)snprintf(out, n, "[");
	for (int i = 0; i < k && o < n; i++)
		o += (size_t)snprintf(out + o, n - o, "%s{\"cpu\":%d,\"latencyNs\":%lld,\"result\":\"%s\",\"errno\":%d}",
				      i ? "," : "", cpus[i], (long long)(s[i].t1 - s[i].t0), seal_result(&s[i]), s[i].err);
	if (o < n)
		snprintf(out + o, n - o, "]");
}

struct gline {
	const char *test;
	char id[96];
	const int *park; int npark; long per_cpu;
	long pages;     /* pages of the sealed file(s), all parked unless a batch drained itself */
	int on_lru;     /* of them on an LRU list before the seal (-1: not read) */
	const struct seal *seals; const int *seal_cpus; int nseals;
	int64_t t0;     /* the first seal call */
};

static void emit(const struct gline *g, void (*extra)(struct jw *, const void *), const void *arg)
{
	struct jw w;
	char buf[4096];
	jw_begin(&w, "guest");
	jw_str(&w, "case", "g");
	jw_str(&w, "test", g->test);
	jw_str(&w, "id", g->id);
	jw_int(&w, "rep", g_rep);
	jw_int(&w, "cpus", g_ncpu);
	cpu_list(buf, sizeof buf, g->park, g->npark);
	jw_raw(&w, "parkCpus", buf);
	jw_int(&w, "pagesPerCpu", g->per_cpu);
	jw_int(&w, "pages", g->pages);
	jw_int(&w, "onLruBefore", g->on_lru);
	seal_list(buf, sizeof buf, g->seals, g->seal_cpus, g->nseals);
	jw_raw(&w, "seals", buf);
	if (extra)
		extra(&w, arg);
	jw_tick(&w, g->seals[0].t0, g->seals[0].t1);
	jw_bool(&w, "traced", trace_active());
	if (trace_active())
		trace_collect(&w, g->t0);
	jw_end(&w);
}

/* --- park: K of N CPUs ------------------------------------------------------------------------ */

static void park(const char *name, const int *cpus, int k)
{
	const long per = 2;
	int fd = memfd_new("drainprobe-g", per * k);
	if (fd < 0)
		return;
	flush_all();
	for (int i = 0; i < k; i++)
		if (on_cpu(cpus[i], G_WRITE, fd, per * i, per)) {
			emit_skip("g", "park: writing from a chosen CPU failed");
			close(fd);
			return;
		}
	int on = kpf_on_lru(fd, 0, per * k);
	struct seal s = seal_write(fd);
	int sc = g_opt.seal_cpu;
	struct gline g = { .test = "park", .park = cpus, .npark = k, .per_cpu = per, .pages = per * k,
			   .on_lru = on, .seals = &s, .seal_cpus = &sc, .nseals = 1, .t0 = s.t0 };
	snprintf(g.id, sizeof g.id, "park/%s", name);
	emit(&g, NULL, NULL);
	close(fd);
}

static void case_park(void)
{
	int cpus[G_MAXCPU], k;
	int n = g_ncpu < G_MAXCPU ? (int)g_ncpu : G_MAXCPU;
	int r = other_cpu();
	/* one remote CPU; the seal CPU alone (its own batch is drained by the seal's local drain);
	 * every other CPU (K = N/2 on even N); every CPU */
	park("remote", &r, 1);
	park("seal-cpu", &g_opt.seal_cpu, 1);
	if (n >= 4) {
		k = 0;
		for (int c = 1; c < n; c += 2)
			cpus[k++] = c;
		park("odd", cpus, k);
	}
	k = 0;
	for (int c = 0; c < n; c++)
		cpus[k++] = c;
	park("all", cpus, k);
}

/* --- fill: batch sizes around 15 and 31 ------------------------------------------------------- */

struct fill_extra { int at, try; };

static void drained_extra(struct jw *w, const void *arg)
{
	const struct fill_extra *x = arg;
	jw_int(w, "drainedAt", x->at);
	jw_int(w, "try", x->try);
}

/* Tries per size: pages of other tasks that enter the same batch (a loaded host) can only make
 * it drain earlier, so the try that drained latest (or never) is the cleanest. */
#define FILL_TRIES 3

static void case_fill(void)
{
	static const int ns[] = { 14, 15, 16, 30, 31, 32 };
	int r = other_cpu(), sc = g_opt.seal_cpu;
	for (size_t k = 0; k < FILL_TRIES * sizeof ns / sizeof *ns && budget_left(200000000LL); k++) {
		size_t i = k / FILL_TRIES;
		int fd = memfd_new("drainprobe-g", ns[i]);
		if (fd < 0)
			return;
		flush_all();
		/* the writer watches page 0: it reaches the LRU when its batch drains by itself */
		size_t len = (size_t)ns[i] * (size_t)g_page;
		void *map = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
		struct gjob j = { .cpu = r, .op = G_WRITE, .fd = fd, .lo = 0, .n = ns[i], .on_lru = -1,
				  .map = map == MAP_FAILED ? NULL : map,
				  .pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC),
				  .kf = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC) };
		int e = run_job(&j);
		if (j.pm >= 0)
			close(j.pm);
		if (j.kf >= 0)
			close(j.kf);
		if (map != MAP_FAILED)
			munmap(map, len); /* before the seal: a shared mapping would make it EBUSY */
		if (e) {
			emit_skip("g", "fill: writing from the remote CPU failed");
			close(fd);
			return;
		}
		int on = map != MAP_FAILED ? j.on_lru : -1;
		/* -1: kpageflags not readable, so when the batch drained is not known */
		struct fill_extra at = { on >= 0 ? j.drained_at : -1, (int)(k % FILL_TRIES) };
		struct seal s = seal_write(fd);
		struct gline g = { .test = "fill", .park = &r, .npark = 1, .per_cpu = ns[i], .pages = ns[i],
				   .on_lru = on, .seals = &s, .seal_cpus = &sc, .nseals = 1, .t0 = s.t0 };
		snprintf(g.id, sizeof g.id, "fill/n=%d", ns[i]);
		emit(&g, drained_extra, &at);
		close(fd);
	}
}

/* --- reread: the activate batch (or MGLRU's reference count) --------------------------------- */

static void lru_gen_extra(struct jw *w, const void *arg)
{
	jw_str(w, "lruGen", (const char *)arg);
}

static void case_reread(void)
{
	const long n = 4;
	int r = other_cpu(), sc = g_opt.seal_cpu;
	char lg[64] = "";
	/* absent: no CONFIG_LRU_GEN; "0x0000": built, off; bit 0 set: on (Documentation/admin-guide/mm/multigen_lru.rst) */
	if (read_text("/sys/kernel/mm/lru_gen/enabled", lg, sizeof lg) > 0)
		lg[strcspn(lg, "\n")] = 0;
	int fd = memfd_new("drainprobe-g", n);
	if (fd < 0)
		return;
	flush_all();
	if (on_cpu(r, G_REREAD, fd, 0, n)) {
		emit_skip("g", "reread: a step on the remote CPU failed");
		close(fd);
		return;
	}
	struct seal s = seal_write(fd);
	struct gline g = { .test = "reread", .park = &r, .npark = 1, .per_cpu = n, .pages = n,
			   .on_lru = -1, .seals = &s, .seal_cpus = &sc, .nseals = 1, .t0 = s.t0 };
	snprintf(g.id, sizeof g.id, "reread");
	emit(&g, lru_gen_extra, lg);
	close(fd);
}

/* --- pin: released before or after the last re-check ----------------------------------------- */

struct pin_extra { const char *when; int64_t planned, released; int hz; };

static void pin_extra_fn(struct jw *w, const void *arg)
{
	const struct pin_extra *x = arg;
	jw_str(w, "release", x->when);
	jw_int(w, "hz", x->hz);
	jw_int(w, "plannedReleaseNs", x->planned);
	jw_int(w, "releaseNs", x->released);
}

static void case_pin(void)
{
	if (g_tick_ns <= 0) {
		emit_skip("g", "pin: the tick (HZ) was not measured");
		return;
	}
	int hz = (int)((1000000000LL + g_tick_ns / 2) / g_tick_ns);
	/* C2: the n-th sleep is (HZ << n) / 200 jiffies, n = 1..4; re-check n follows sleep n */
	int64_t rc[5] = { 0 };
	for (int i = 1; i <= 4; i++)
		rc[i] = rc[i - 1] + (int64_t)((hz << i) / 200) * g_tick_ns;
	int64_t last = rc[4] - rc[3];
	struct { const char *when; int64_t at; } plan[] = {
		{ "early", (rc[1] + rc[2]) / 2 },         /* in the second sleep: ok at re-check 2 */
		{ "before-last", rc[3] + last / 2 },      /* in the last sleep: ok at the last re-check */
		{ "after-last", rc[4] + last / 2 },       /* past it: EBUSY */
		{ "after-return", -1 },                   /* only once the seal returned: EBUSY */
	};
	int sc = g_opt.seal_cpu, r = other_cpu();
	for (size_t i = 0; i < sizeof plan / sizeof *plan; i++) {
		if (!budget_left(rc[4] + last + 300000000LL)) {
			if (atomic_load(&g_stop) <= 0)
				emit_skip("g", "budget exhausted; pin releases cut short");
			return;
		}
		int pfd[2];
		int fd = pinned_memfd(pfd, 4);
		if (fd < 0) {
			emit_skip("g", "pin: vmsplice pin setup failed");
			return;
		}
		flush_all();
		int64_t t = at_tick_offset(2000000, spread_offset((int)i));
		size_t bytes = 4 * (size_t)g_page;
		if (plan[i].at >= 0)
			remote_drain_pipe_at(pfd[0], bytes, t + plan[i].at);
		sleep_until(t);
		struct seal s = seal_write(fd);
		int64_t released;
		if (plan[i].at >= 0) {
			released = remote_wait_done(3000000000LL);
		} else {
			remote_drain_pipe_at(pfd[0], bytes, mono_ns());
			released = remote_wait_done(3000000000LL);
		}
		struct pin_extra x = { plan[i].when, plan[i].at >= 0 ? t + plan[i].at - s.t0 : -1,
				       released ? released - s.t0 : -1, hz };
		struct gline g = { .test = "pin", .park = &r, .npark = 0, .per_cpu = 0, .pages = 4,
				   .on_lru = -1, .seals = &s, .seal_cpus = &sc, .nseals = 1, .t0 = s.t0 };
		snprintf(g.id, sizeof g.id, "pin/%s", plan[i].when);
		emit(&g, pin_extra_fn, &x);
		close(pfd[1]);
		if (released)
			close(pfd[0]);
		else
			note("case g: the pipe reader did not finish; leaving its pipe open");
		close(fd);
		if (!released)
			return;
	}
}

/* --- concurrent sealers --------------------------------------------------------------------- */

struct sealer { int cpu, fd; pthread_barrier_t *go; struct seal s; };

static void *sealer_run(void *arg)
{
	struct sealer *x = arg;
	pin_self(x->cpu);
	setpriority(PRIO_PROCESS, (id_t)gettid(), -20);
	pthread_barrier_wait(x->go);
	x->s = seal_write(x->fd);
	return NULL;
}

static void case_concurrent(void)
{
	enum { MAXS = 4 };
	int n = g_ncpu < G_MAXCPU ? (int)g_ncpu : G_MAXCPU;
	int ns = n >= 4 ? (n / 2 < MAXS ? n / 2 : MAXS) : 2;
	int scpu[MAXS], pcpu[MAXS], fds[MAXS];
	/* N >= 4: sealers on CPUs 0..S-1, pages of sealer i on CPU S+i; smaller: both sealers on
	 * the seal CPU, their pages on the other CPU */
	for (int i = 0; i < ns; i++) {
		scpu[i] = n >= 4 ? i : g_opt.seal_cpu;
		pcpu[i] = n >= 4 ? ns + i : other_cpu();
		fds[i] = memfd_new("drainprobe-g", 2);
	}
	const long per = 2;
	pthread_barrier_t go;
	pthread_barrier_init(&go, NULL, (unsigned)ns + 1);
	struct sealer sl[MAXS];
	pthread_t th[MAXS];
	int started = 0;
	/* the sealers wait at the barrier first, so the pages are written just before the seals */
	for (int i = 0; i < ns && fds[i] >= 0; i++) {
		sl[i] = (struct sealer){ scpu[i], fds[i], &go, { 0, 0, -1, 0 } };
		if (pthread_create(&th[i], NULL, sealer_run, &sl[i]))
			break;
		started++;
	}
	if (started < ns) {
		/* a barrier that can never fill: the started sealers would wait for ever */
		emit_skip("g", "concurrent: could not start every sealer thread; the started ones are left waiting");
		return;
	}
	flush_all();
	int err = 0;
	for (int i = 0; i < ns && !err; i++)
		err = on_cpu(pcpu[i], G_WRITE, fds[i], 0, per);
	pthread_barrier_wait(&go);
	for (int i = 0; i < ns; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&go);
	if (err) {
		emit_skip("g", "concurrent: writing a sealer's pages failed");
	} else {
		struct seal s[MAXS];
		int64_t first = sl[0].s.t0;
		for (int i = 0; i < ns; i++) {
			s[i] = sl[i].s;
			if (s[i].t0 < first)
				first = s[i].t0;
		}
		int uniq[MAXS], nu = 0;
		for (int i = 0; i < ns; i++) {
			bool seen = false;
			for (int j = 0; j < nu; j++)
				seen |= uniq[j] == pcpu[i];
			if (!seen)
				uniq[nu++] = pcpu[i];
		}
		struct gline g = { .test = "concurrent", .park = uniq, .npark = nu, .per_cpu = per * (ns / nu), .pages = per * ns,
				   .on_lru = -1, .seals = s, .seal_cpus = scpu, .nseals = ns, .t0 = first };
		snprintf(g.id, sizeof g.id, "concurrent/sealers=%d", ns);
		emit(&g, NULL, NULL);
	}
	for (int i = 0; i < ns; i++)
		close(fds[i]);
}

void case_guest(void)
{
	g_ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (g_ncpu < 2) {
		emit_skip("g", "needs two online CPUs");
		return;
	}
	g_wbuf = malloc((size_t)g_page);
	if (!g_wbuf)
		return;
	memset(g_wbuf, 0x6b, (size_t)g_page);
	int reps = g_opt.reps ? g_opt.reps : 1;
	for (int r = 0; r < reps && !stopping(); r++) {
		g_rep = r;
		case_park();
		if (!stopping())
			case_fill();
		if (!stopping())
			case_reread();
		if (!stopping())
			case_concurrent();
		if (!stopping())
			case_pin();
	}
	workers_stop();
	free(g_wbuf);
	g_wbuf = NULL;
}
