/*
 * Case e: the sealer's own wake-ups on a busy CPU (issue 14; docs/calibration.md "Distributions").
 * A CFS spinner is pinned to the sealing CPU for the whole case at the sealer's own nice: both at
 * -20 where the probe may (CAP_SYS_NICE), so that on a shared host other nice-0 tasks get about
 * 1 % of that CPU and it holds what the model's busy CPU holds, the sealer and one CFS hog of the
 * same weight; else both at 0. Each seal is case a's: 4 pages pinned by vmsplice, the pipe read empty on the remote CPU (idle) a fixed time after the seal
 * call, so the seal returns at its first re-check after that, i.e. after a timer wake-up on the
 * busy CPU: at once when the woken sealer preempts the spinner, else a tick or two later.
 * One {"kind":"busyseal"} line per seal; >= 20 seals in a full run.
 *
 * Case f: the RT-throttling window's phase as the drain sees it: case b's SCHED_FIFO spinner on
 * the remote CPU, with the seal at a pre-run drawn uniformly from 0..900 ms (a fixed-seed
 * generator, so the same every run), >= 20 runs. {"kind":"drain","case":"f"} lines.
 *
 * Safety: the CFS spinner has a hard deadline (the case's budget, at most 20 s) and watches
 * g_stop; the RT runs are case b's (2.5 s cap, RLIMIT_RTTIME backstop, 1.1 s pause between).
 */
#include "probe.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define E_PAGES 4
#define E_RELEASE_NS 2000000LL /* before the first re-check (2 ticks after the tick before the seal) */

static struct {
	pthread_t th;
	_Atomic int stop, running;
	int64_t until;
	int cpu, nice;
} H;

static void *hog(void *arg)
{
	(void)arg;
	pin_self(H.cpu);
	setpriority(PRIO_PROCESS, (id_t)gettid(), H.nice); /* the sealer's weight, whatever we inherited */
	atomic_store(&H.running, 1);
	while (!atomic_load_explicit(&H.stop, memory_order_relaxed) &&
	       !atomic_load_explicit(&g_stop, memory_order_relaxed) && mono_ns() < H.until)
		;
	atomic_store(&H.running, 0);
	return NULL;
}

/* Runnable tasks on the whole machine now (/proc/loadavg's 4th field, this probe's included): more
 * than the sealer and its spinner means other tasks compete for the sealing CPU too. */
static int runnable_now(void)
{
	char buf[128];
	int run = -1;
	if (read_text("/proc/loadavg", buf, sizeof buf) > 0 && sscanf(buf, "%*f %*f %*f %d/", &run) != 1)
		run = -1;
	return run;
}

static bool one_busy(int k, int64_t release_ns)
{
	int pfd[2];
	int fd = pinned_memfd(pfd, E_PAGES);
	if (fd < 0) {
		char why[128];
		snprintf(why, sizeof why, "vmsplice pin setup failed: %s", strerror(errno));
		emit_skip("e", why);
		return false;
	}
	int runnable = runnable_now();
	sleep_until(at_tick_offset(2000000, spread_offset(k)));
	/* the release counts from when the sealer actually runs (its own wake-up here may be late
	 * on the busy CPU): the reader on the idle remote CPU empties the pipe release_ns later */
	int64_t planned = mono_ns() + release_ns;
	remote_drain_pipe_at(pfd[0], E_PAGES * (size_t)g_page, planned);
	struct seal s = seal_write(fd);
	int64_t released = remote_wait_done(2000000000LL);
	if (!released) {
		close(pfd[1]);
		pfd[1] = -1;
		released = remote_wait_done(3000000000LL) ? -1 : 0;
	}
	struct jw w;
	jw_begin(&w, "busyseal");
	jw_str(&w, "case", "e");
	jw_int(&w, "rep", k);
	jw_int(&w, "pages", E_PAGES);
	jw_int(&w, "latencyNs", s.t1 - s.t0);
	jw_str(&w, "result", seal_result(&s));
	jw_int(&w, "errno", s.err);
	jw_int(&w, "releaseNs", released > 0 ? released - s.t0 : -1);
	jw_int(&w, "plannedReleaseNs", planned - s.t0);
	jw_bool(&w, "hogRunning", atomic_load(&H.running) == 1);
	if (runnable >= 0)
		jw_int(&w, "runnable", runnable);
	jw_tick(&w, s.t0, s.t1);
	jw_end(&w);
	if (pfd[1] >= 0)
		close(pfd[1]);
	close(fd);
	if (released == 0) {
		note("case e: the pipe reader did not finish; stopping the case with its pipe open");
		return false;
	}
	close(pfd[0]);
	return true;
}

void case_busy_sealer(void)
{
	int n = g_opt.reps ? g_opt.reps * 8 : g_opt.quick ? 8 : 32;
	if (n > 64)
		n = 64;
	/* each seal: setup, <= 1 tick to its start offset, ~2..4 ticks of wait, and on a loaded host
	 * as much again */
	int64_t need = (int64_t)n * 60000000LL + 200000000LL;
	if (!budget_left(need)) {
		emit_skip("e", "budget exhausted before the busy-sealer case");
		return;
	}
	pid_t me = gettid();
	int nice_before = getpriority(PRIO_PROCESS, (id_t)me);
	H.cpu = g_opt.seal_cpu;
	H.nice = nice_before < 0 ? nice_before : 0; /* -20 when main could take it */
	H.until = mono_ns() + (need < 20000000000LL ? need : 20000000000LL);
	atomic_store(&H.stop, 0);
	atomic_store(&H.running, 0);
	if (pthread_create(&H.th, NULL, hog, NULL)) {
		emit_skip("e", "cannot start the CFS spinner thread");
		return;
	}
	setpriority(PRIO_PROCESS, (id_t)me, H.nice);
	{
		struct jw w;
		jw_begin(&w, "busy-setup");
		jw_str(&w, "case", "e");
		jw_int(&w, "cpu", H.cpu);
		jw_int(&w, "sealerNice", getpriority(PRIO_PROCESS, (id_t)me));
		jw_int(&w, "hogNice", H.nice);
		jw_int(&w, "seals", n);
		jw_int(&w, "releaseAfterNs", E_RELEASE_NS);
		jw_end(&w);
	}
	while (!atomic_load(&H.running) && !stopping())
		sleep_ns(1000000);
	nap_ns(50000000); /* let the hog settle into the runqueue */
	int done = 0;
	for (int k = 0; k < n && !stopping() && mono_ns() + 60000000LL < H.until; k++) {
		if (!one_busy(k, E_RELEASE_NS))
			break;
		done++;
	}
	atomic_store(&H.stop, 1);
	pthread_join(H.th, NULL);
	setpriority(PRIO_PROCESS, (id_t)me, nice_before);
	if (done < n && atomic_load(&g_stop) <= 0)
		emit_skip("e", "budget exhausted; busy seals cut short");
}

/* xorshift64*: the RT pre-runs, the same every run (not the model's generator; only a spread) */
static uint64_t xs = 0x14d14d14d14dULL;
static uint64_t xnext(void)
{
	xs ^= xs >> 12;
	xs ^= xs << 25;
	xs ^= xs >> 27;
	return xs * 2685821657736338717ULL;
}

void case_rt_phase(bool two)
{
	if (!two) {
		emit_skip("f", "needs two online CPUs");
		return;
	}
	int n = g_opt.reps ? g_opt.reps : g_opt.quick ? 4 : 20;
	for (int i = 0; i < n; i++) {
		int64_t pre = (int64_t)(xnext() % 900001ULL) * 1000000LL / 1000; /* 0..900 ms in us steps */
		/* the kworker gets in ~950 ms after the spin start, then a full RT period with no RT load */
		if (!budget_left(2600000000LL)) {
			if (atomic_load(&g_stop) <= 0)
				emit_skip("f", "budget exhausted; RT phase runs cut short");
			return;
		}
		if (!drain_one("f", RC_RT, i, pre, 0))
			return;
		if (i + 1 < n)
			nap_ns(1100000000LL);
	}
}
