/*
 * Case b: lru_add_drain_all() latency (docs/kernel-model.md OP5, OP5' v6.18) with pages parked in the
 * remote CPU's lru_add batch while that CPU is idle, runs a CFS spinner, or runs a SCHED_FIFO
 * spinner. The worker writes B_PAGES new pages on the remote CPU (fewer than the 31-entry
 * batch, and order-0 because shmem THP is off, A2), so each holds a batch ref and the tag pass
 * tags it (OP3.2). The local drain on the seal CPU (OP3.1, and 6.18's drain_all local-first)
 * cannot release them; scan 0's drain_all queues lru_add_drain_per_cpu on the remote CPU and
 * flush_work waits for it (OP5.4-5). The seal then returns ok at once, so its latency is the
 * drain_all latency plus the tag/re-check passes. Case d (tracing) rides along when enabled.
 */
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define B_PAGES 8
#define KPF_LRU 5
#define KPF_THP 22

/* Read kpageflags of each page of fd (needs root); returns pages on an LRU list, or -1. */
static int pages_on_lru(int fd, int npages, int *thp)
{
	size_t len = (size_t)npages * (size_t)g_page;
	volatile char *p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -1;
	int pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	int kf = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	int on = pm >= 0 && kf >= 0 ? 0 : -1; /* -1: not readable (needs root) */
	*thp = 0;
	for (int i = 0; i < npages && on >= 0; i++) {
		(void)p[(size_t)i * (size_t)g_page]; /* map it; mapping takes no batch ref */
		uint64_t e = 0, f = 0;
		uintptr_t va = (uintptr_t)p + (size_t)i * (size_t)g_page;
		if (pread(pm, &e, 8, (off_t)(va / (uintptr_t)g_page) * 8) != 8 || !(e >> 63)) {
			on = -1;
			break;
		}
		uint64_t pfn = e & ((1ULL << 55) - 1);
		if (!pfn || pread(kf, &f, 8, (off_t)pfn * 8) != 8) {
			on = -1; /* PFNs hidden without CAP_SYS_ADMIN */
			break;
		}
		on += (f >> KPF_LRU) & 1;
		*thp += (f >> KPF_THP) & 1;
	}
	if (pm >= 0)
		close(pm);
	if (kf >= 0)
		close(kf);
	munmap((void *)p, len); /* munmap drains only this CPU's batches (A2 local drains) */
	return on;
}

static void verify_parked(void)
{
	int fd = memfd_new("drainprobe-verify", B_PAGES), thp = 0;
	if (fd < 0)
		return;
	remote_write_then(fd, B_PAGES, RC_IDLE, 0, 0);
	remote_wait_done(1000000000LL);
	int on = pages_on_lru(fd, B_PAGES, &thp);
	struct jw w;
	jw_begin(&w, "verify");
	jw_str(&w, "case", "b");
	jw_str(&w, "what", "pages-parked-in-remote-lru-batch");
	jw_bool(&w, "ok", on == 0);
	jw_bool(&w, "checked", on >= 0); /* false: kpageflags/PFNs need root */
	jw_int(&w, "pages", B_PAGES);
	jw_int(&w, "onLru", on);
	jw_int(&w, "thp", thp);
	jw_end(&w);
	struct seal s = seal_write(fd); /* drains them again; not measured */
	(void)s;
	close(fd);
}

/* One measurement; false when the class cannot be measured here (reason emitted). */
static bool one(const char *cs, enum rclass c, int rep, int64_t pre_run_ns, int64_t lead_ns)
{
	int64_t spin_max = c == RC_RT ? 2500000000LL : c == RC_BUSY ? 400000000LL : 0;
	int fd = memfd_new("drainprobe-b", B_PAGES);
	if (fd < 0) {
		emit_skip(cs, "memfd_create failed");
		return false;
	}
	/* clear before the spinner starts: truncating the buffer waits for an RCU grace period,
	 * which an RT spinner on the remote CPU can stretch to tens of ms */
	if (trace_active())
		trace_clear();
	remote_write_then(fd, B_PAGES, c, spin_max, lead_ns);
	if (c == RC_IDLE)
		remote_wait_done(1000000000LL);
	if (!remote_wait_parked(1000000000LL) || remote_last_errno()) {
		int e = remote_last_errno();
		remote_release();
		remote_wait_done(3000000000LL);
		close(fd);
		if (atomic_load(&g_stop))
			return false;
		char why[160];
		snprintf(why, sizeof why, "%s class: remote worker failed: %s", rclass_name[c],
			 e == EPERM ? "SCHED_FIFO not permitted (needs CAP_SYS_NICE / RT budget)" : strerror(e));
		emit_skip(cs, why);
		return false;
	}
	/* idle: let the remote CPU reach its idle loop; busy/rt: let the spinner settle. Start at
	 * spread positions in the jiffy: a CFS kworker may wait for the remote CPU's next tick. */
	nap_until(at_tick_offset(pre_run_ns > 2000000 ? pre_run_ns : 2000000, spread_offset(rep)));
	if (stopping()) { /* stopped during the pre-run: no seal, just let the spinner go */
		remote_release();
		remote_wait_done(4000000000LL);
		close(fd);
		return false;
	}
	struct seal s = seal_write(fd);
	remote_release();
	remote_wait_done(4000000000LL);

	struct jw w;
	jw_begin(&w, "drain");
	jw_str(&w, "case", cs);
	jw_str(&w, "cpuClass", rclass_name[c]);
	jw_int(&w, "rep", rep);
	jw_int(&w, "pages", B_PAGES);
	jw_int(&w, "latencyNs", s.t1 - s.t0);
	jw_str(&w, "result", seal_result(&s));
	jw_int(&w, "errno", s.err);
	if (c != RC_IDLE) {
		int64_t st = remote_spin_started();
		jw_int(&w, "spinBeforeSealNs", st ? s.t0 - st : -1);
		jw_bool(&w, "spinCapped", remote_spin_capped());
		jw_int(&w, "spinMaxNs", spin_max);
		if (c == RC_RT)
			jw_int(&w, "cfsLeadNs", lead_ns);
	}
	jw_tick(&w, s.t0, s.t1);
	/* a stop request ended the spinner early: this latency is not a measurement */
	if (atomic_load(&g_stop) > 0)
		jw_bool(&w, "interrupted", true);
	jw_end(&w);

	if (trace_active()) {
		jw_begin(&w, "trace");
		jw_str(&w, "case", "d");
		jw_str(&w, "cpuClass", rclass_name[c]);
		jw_int(&w, "rep", rep);
		jw_int(&w, "sealLatencyNs", s.t1 - s.t0);
		trace_collect(&w, s.t0);
		jw_end(&w);
	}
	close(fd);
	return true;
}

bool drain_one(const char *cs, enum rclass c, int rep, int64_t pre_run_ns, int64_t lead_ns)
{
	return one(cs, c, rep, pre_run_ns, lead_ns);
}

static void run_classes(const char *cs, int reps)
{
	bool busy_ok = true;
	for (int r = 0; r < reps; r++) {
		if (!budget_left(500000000LL)) {
			if (atomic_load(&g_stop) <= 0)
				emit_skip(cs, "budget exhausted; idle/busy drains cut short");
			return;
		}
		if (!one(cs, RC_IDLE, r, 0, 0))
			return;
		if (busy_ok && !one(cs, RC_BUSY, r, 0, 0))
			busy_ok = false;
	}
}

/* RT spinner: the kworker waits for RT throttling or the fair dl-server (sched.c). Runs with
 * a pre-run before the seal show whether the wait is counted from the spin's start (both
 * mechanisms) or from the kworker's wakeup; a CFS lead-in before the RT spin starts the
 * dl-server's period early, which moves its deadline but not RT throttling's. */
static void run_rt(const char *cs)
{
	static const int64_t pre_full[] = { 0, 0, 0, 400000000LL, 400000000LL, 0 };
	static const int64_t lead_full[] = { 0, 0, 0, 0, 0, 325000000LL };
	static const int64_t none[] = { 0 };
	const int64_t *pre = g_opt.quick ? none : pre_full;
	const int64_t *lead = g_opt.quick ? none : lead_full;
	int n = g_opt.quick ? 1 : 6;
	if (g_opt.rt_n >= 0) {
		pre = g_opt.rt_pre_ns;
		lead = g_opt.rt_lead_ns;
		n = g_opt.rt_n;
	}
	for (int i = 0; i < n; i++) {
		/* a spin can last up to its 2.5 s cap plus the lead, and a pause refills RT bandwidth */
		if (!budget_left(pre[i] + lead[i] + 3700000000LL)) {
			if (atomic_load(&g_stop) <= 0)
				emit_skip(cs, "budget exhausted; RT spinner runs cut short");
			return;
		}
		if (!one(cs, RC_RT, i, pre[i], lead[i]))
			return;
		if (i + 1 < n)
			nap_ns(1100000000LL); /* a full RT period with no RT load between runs */
	}
}

void case_drain(void)
{
	verify_parked();
	run_classes("b", g_opt.reps ? g_opt.reps : g_opt.quick ? 3 : 7);
	run_rt("b");
}

void case_trace_only(void)
{
	run_classes("d", g_opt.reps ? g_opt.reps : 3);
}
