/*
 * drainprobe main: options, the signal thread, the run budget and the order of the cases.
 * Usage: drainprobe [--quick] [--cases a,b,c,d,e,f,g] [--guest-cases] [--budget-ms N] [--reps N]
 *                   [--seal-cpu N] [--remote-cpu N]
 * Exit: 0 done (cases that cannot run here print {"kind":"skip"}), 2 bad arguments,
 *       3 when its parent was already gone, 128+signal after a clean stop on
 *       SIGINT/SIGTERM/SIGHUP/SIGQUIT (SIGTERM also when the parent dies: PR_SET_PDEATHSIG;
 *       SIGHUP when the parent-pid check finds it gone).
 */
#include "probe.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

struct opts g_opt = { .rt_n = -1, .cases = CASE_A | CASE_B | CASE_C | CASE_D | CASE_E, .budget_ms = 45000,
		      .seal_cpu = SEAL_CPU_DEFAULT, .remote_cpu = REMOTE_CPU_DEFAULT };
_Atomic int g_stop;
int64_t g_deadline_ns;
int64_t g_tick_ns, g_tick_phase;
long g_page;

static _Atomic int exiting;
/* The process that started us (node's calibrate): when it is gone, we stop. 0: none to watch
 * (started by init, or as /init itself in a guest). */
static pid_t g_parent;
static pid_t g_opt_parent; /* --parent-pid: who must be our parent at start */
static int g_sealer_nice;
static sigset_t sigs;

static void usage(FILE *f)
{
	fputs("usage: drainprobe [--quick] [--cases a,b,c,d,e,f,g] [--guest-cases] [--budget-ms N] [--reps N]\n"
	      "                  [--seal-cpu N] [--remote-cpu N] [--parent-pid N]\n"
	      "                  [--rt-pre-ms 0,400,...] [--rt-lead-ms 0,300,...]\n"
	      "  a  wait-loop re-check times (vmsplice pins released after d ms)\n"
	      "  b  lru_add_drain_all latency, remote CPU idle / CFS spinner / SCHED_FIFO spinner\n"
	      "  c  tag walk cost per page (unpinned files, 1K..256K pages)\n"
	      "  d  workqueue tracepoints: which CPUs got drain work, kworker start delay\n"
	      "  e  busy sealer: a CFS spinner on the seal CPU, >= 20 seals waking at a re-check\n"
	      "  f  RT window phase: >= 20 SCHED_FIFO-spinner drains at pre-runs 0..900 ms (not by default: ~45 s)\n"
	      "  g  facts a guest kernel shows under any accelerator: pages parked on K of N CPUs,\n"
	      "     batch fill around 15 and 31, re-read pages, pins released around the last\n"
	      "     re-check, concurrent sealers (not by default; --guest-cases adds g)\n"
	      "  default: a,b,c,d,e\n", f);
}

static int parse_cases(const char *s)
{
	int m = 0;
	for (; *s; s++) {
		if (*s == ',')
			continue;
		const char *at = strchr(CASE_LETTERS, *s);
		if (!*s || !at)
			return -1;
		m |= 1 << (at - CASE_LETTERS);
	}
	return m;
}

static bool parse_int(const char *s, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static int parse_args(int argc, char **argv)
{
	bool guest = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		long v;
		bool has = i + 1 < argc;
		if (!strcmp(a, "--quick")) {
			g_opt.quick = true;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			exit(0);
		} else if (!strcmp(a, "--version")) {
			printf("drainprobe %d\n", PROBE_VERSION);
			exit(0);
		} else if (!strcmp(a, "--cases") && has) {
			if ((g_opt.cases = parse_cases(argv[++i])) <= 0) {
				fprintf(stderr, "drainprobe: --cases takes a comma list of a,b,c,d,e,f,g; got '%s'\n", argv[i]);
				return -1;
			}
		} else if (!strcmp(a, "--guest-cases")) {
			guest = true;
		} else if (!strcmp(a, "--budget-ms") && has) {
			if (!parse_int(argv[++i], 1000, 600000, &v)) {
				fprintf(stderr, "drainprobe: --budget-ms must be 1000..600000; got '%s'\n", argv[i]);
				return -1;
			}
			g_opt.budget_ms = v;
		} else if (!strcmp(a, "--reps") && has) {
			if (!parse_int(argv[++i], 1, 50, &v)) {
				fprintf(stderr, "drainprobe: --reps must be 1..50; got '%s'\n", argv[i]);
				return -1;
			}
			g_opt.reps = (int)v;
		} else if (!strcmp(a, "--rt-pre-ms") && has) {
			/* comma list of pre-run times, one RT seal each (at most 8) */
			char *dup = strdup(argv[++i]), *save = NULL;
			g_opt.rt_n = 0;
			for (char *t = strtok_r(dup, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
				if (g_opt.rt_n >= 8 || !parse_int(t, 0, 2000, &v)) {
					fprintf(stderr, "drainprobe: --rt-pre-ms takes up to 8 values 0..2000; got '%s'\n", argv[i]);
					free(dup);
					return -1;
				}
				g_opt.rt_pre_ns[g_opt.rt_n++] = v * 1000000LL;
			}
			free(dup);
		} else if (!strcmp(a, "--rt-lead-ms") && has) {
			/* CFS lead-in before each RT spin, same order as --rt-pre-ms */
			char *dup = strdup(argv[++i]), *save = NULL;
			int k = 0;
			for (char *t = strtok_r(dup, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
				if (k >= 8 || !parse_int(t, 0, 2000, &v)) {
					fprintf(stderr, "drainprobe: --rt-lead-ms takes up to 8 values 0..2000; got '%s'\n", argv[i]);
					free(dup);
					return -1;
				}
				g_opt.rt_lead_ns[k++] = v * 1000000LL;
			}
			free(dup);
		} else if (!strcmp(a, "--parent-pid") && has) {
			/* the pid of the command that owns us (node's calibrate passes its own) */
			if (!parse_int(argv[++i], 1, 4194304, &v)) {
				fprintf(stderr, "drainprobe: --parent-pid must be a pid; got '%s'\n", argv[i]);
				return -1;
			}
			g_opt_parent = (pid_t)v;
		} else if ((!strcmp(a, "--seal-cpu") || !strcmp(a, "--remote-cpu")) && has) {
			if (!parse_int(argv[++i], 0, 8191, &v)) {
				fprintf(stderr, "drainprobe: %s must be a CPU number; got '%s'\n", a, argv[i]);
				return -1;
			}
			*(a[2] == 's' ? &g_opt.seal_cpu : &g_opt.remote_cpu) = (int)v;
		} else {
			fprintf(stderr, "drainprobe: unknown or incomplete option '%s'\n", a);
			usage(stderr);
			return -1;
		}
	}
	/* after the loop: --guest-cases adds g whatever order it came in with --cases */
	if (guest)
		g_opt.cases |= CASE_G;
	return 0;
}

/* Signals are blocked in every thread and taken here, on the seal CPU, so a stop request is
 * seen even while the remote CPU is held by an RT spinner and the main thread sleeps in
 * flush_work: the spinner watches g_stop, ends, and the kworker (and the seal) can finish. */
static void *sig_thread(void *arg)
{
	(void)arg;
	pin_self(g_opt.seal_cpu);
	while (!atomic_load(&exiting)) {
		struct timespec to = { 0, 100000000 };
		int s = sigtimedwait(&sigs, NULL, &to);
		if (s > 0) {
			int z = 0;
			if (atomic_compare_exchange_strong(&g_stop, &z, s))
				note("signal %d: stopping (spinners end, tracing instance removed)", s);
		}
		/* the parent-pid check: PR_SET_PDEATHSIG covers the parent's death, this covers a
		 * parent that died before the prctl took effect, or a reparenting we missed */
		if (g_parent > 0 && getppid() != g_parent) {
			int z = 0;
			if (atomic_compare_exchange_strong(&g_stop, &z, SIGHUP))
				note("parent %d is gone: stopping (spinners end, tracing instance removed)", (int)g_parent);
		}
		/* last resort if something blocks far past the budget: leave without hanging */
		if (mono_ns() > g_deadline_ns + 15000000000LL) {
			note("hung past the budget; exiting");
			trace_teardown();
			_exit(3);
		}
	}
	return NULL;
}

/* The 1-minute load average and runnable tasks: other load skews every timing (a busy seal
 * CPU wakes late; other tasks on the remote CPU may drain its batch before the seal). */
static void jw_load(struct jw *w)
{
	char buf[128];
	if (read_text("/proc/loadavg", buf, sizeof buf) > 0) {
		double l1 = 0;
		int run = 0, tot = 0;
		if (sscanf(buf, "%lf %*f %*f %d/%d", &l1, &run, &tot) == 3) {
			jw_num(w, "loadAvg1", l1);
			jw_int(w, "runnable", run);
		}
	}
}

static void meta(void)
{
	struct utsname u;
	uname(&u);
	char model[256] = "", line[512], shm[128] = "";
	FILE *f = fopen("/proc/cpuinfo", "re");
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, "model name", 10)) {
			char *c = strchr(line, ':');
			if (c)
				snprintf(model, sizeof model, "%s", c + 2);
			model[strcspn(model, "\n")] = 0;
			break;
		}
	if (f)
		fclose(f);
	read_text("/sys/kernel/mm/transparent_hugepage/shmem_enabled", shm, sizeof shm);
	char cases[8];
	int n = 0;
	for (int i = 0; i < (int)strlen(CASE_LETTERS); i++)
		if (g_opt.cases & (1 << i))
			cases[n++] = CASE_LETTERS[i];
	cases[n] = 0;
	struct jw w;
	jw_begin(&w, "meta");
	jw_str(&w, "probe", "drainprobe");
	jw_int(&w, "version", PROBE_VERSION);
	jw_str(&w, "sysname", u.sysname);
	jw_str(&w, "release", u.release);
	jw_str(&w, "machine", u.machine);
	jw_int(&w, "cpus", sysconf(_SC_NPROCESSORS_ONLN));
	jw_str(&w, "model", model);
	jw_int(&w, "pageSize", g_page);
	jw_str(&w, "shmemThp", shm);
	jw_int(&w, "euid", geteuid());
	jw_bool(&w, "quick", g_opt.quick);
	jw_str(&w, "cases", cases);
	jw_int(&w, "budgetMs", g_opt.budget_ms);
	jw_int(&w, "sealCpu", g_opt.seal_cpu);
	jw_int(&w, "remoteCpu", g_opt.remote_cpu);
	struct timespec rt;
	clock_gettime(CLOCK_REALTIME, &rt);
	jw_int(&w, "startedAtUnixMs", (int64_t)rt.tv_sec * 1000 + rt.tv_nsec / 1000000);
	jw_load(&w);
	jw_end(&w);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN); /* a closed stdout ends the run through EPIPE, not a signal */
	/* Owned by the command that started us: SIGTERM when it dies (taken by the signal thread
	 * below like any stop request), and a parent-pid check for a parent already gone. */
	pid_t parent = getppid();
	if (parent > 1)
		prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
	if (parse_args(argc, argv))
		return 2;
	/* after the prctl: a parent that died before it is seen here, never missed */
	if (g_opt_parent && getppid() != g_opt_parent) {
		fprintf(stderr, "drainprobe: parent %d is gone (parent now %d); not running\n", (int)g_opt_parent, (int)getppid());
		return 3;
	}
	if (parent > 1 && getppid() != parent) {
		fprintf(stderr, "drainprobe: parent %d exited before the probe started; not running\n", (int)parent);
		return 3;
	}
	g_parent = g_opt_parent ? g_opt_parent : parent > 1 ? parent : 0;
	g_page = sysconf(_SC_PAGESIZE);
	int64_t t_start = mono_ns();
	g_deadline_ns = t_start + g_opt.budget_ms * 1000000LL;

	ns_prepare(); /* before any thread: unshare(CLONE_NEWNS) needs a single thread */
	trace_remove_stale(); /* a SIGKILLed run's instance (events still enabled) goes now */

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGQUIT);
	sigaddset(&sigs, SIGXCPU);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL); /* inherited by every thread created below */
	pthread_t st;
	pthread_create(&st, NULL, sig_thread, NULL);

	/* backstop for the RT spinner: SIGXCPU after 3 s of RT CPU without blocking, SIGKILL
	 * after 5 s (the spinner's own cap is 2.5 s) */
	struct rlimit rl = { 3000000, 5000000 };
	setrlimit(RLIMIT_RTTIME, &rl);
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);

	meta();
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (pin_self(g_opt.seal_cpu) < 0) {
		emit_skip("all", "cannot bind to the seal CPU");
		goto out;
	}
	/* The sealer at nice -20: on a host with other load, its wake-ups after each sleep (and its
	 * walk) are then the kernel's, not the scheduler's queueing behind other tasks. Spinners and
	 * kworkers stay nice 0. Without CAP_SYS_NICE it stays at 0 (meta says which). */
	g_sealer_nice = setpriority(PRIO_PROCESS, (id_t)gettid(), -20) == 0 ? -20 : 0;
	bool two = ncpu >= 2 && g_opt.remote_cpu != g_opt.seal_cpu && g_opt.remote_cpu < ncpu;
	{
		struct jw w;
		jw_begin(&w, "sealer");
		jw_int(&w, "nice", g_sealer_nice);
		jw_int(&w, "cpu", g_opt.seal_cpu);
		jw_end(&w);
	}
	if (tick_calibrate() < 0)
		note("tick phase not measured (no CLOCK_MONOTONIC_COARSE steps seen)");
	report_sched();
	if (remote_start(two ? g_opt.remote_cpu : g_opt.seal_cpu) < 0) {
		emit_skip("all", "cannot start the worker thread");
		goto out;
	}
	if (g_opt.cases & CASE_D) {
		char why[256];
		if (!two)
			emit_skip("d", "needs two online CPUs");
		else if (trace_setup(why, sizeof why) < 0)
			emit_skip("d", why);
	}
	/* c first: no spinner, and its fit is the baseline the drain latencies sit on */
	if ((g_opt.cases & CASE_C) && !stopping())
		case_walk();
	if ((g_opt.cases & CASE_A) && !stopping())
		case_recheck();
	if ((g_opt.cases & CASE_B) && !stopping()) {
		if (two)
			case_drain();
		else
			emit_skip("b", "needs two online CPUs");
	} else if ((g_opt.cases & CASE_D) && trace_active() && !stopping()) {
		case_trace_only();
	}
	if ((g_opt.cases & CASE_E) && !stopping())
		case_busy_sealer();
	if ((g_opt.cases & CASE_F) && !stopping())
		case_rt_phase(two);
	/* g last: it traces for itself (a tracing instance of its own when d did not make one) */
	if ((g_opt.cases & CASE_G) && !stopping()) {
		char why[256];
		if (!trace_active() && trace_setup(why, sizeof why) < 0)
			note("case g without drain-work tracing: %s", why);
		case_guest();
	}
out:
	remote_stop();
	trace_teardown();
	int sig = atomic_load(&g_stop);
	struct jw w;
	jw_begin(&w, "end");
	jw_int(&w, "elapsedMs", (mono_ns() - t_start) / 1000000);
	jw_bool(&w, "interrupted", sig > 0);
	jw_bool(&w, "budgetExhausted", sig == -1);
	if (sig > 0)
		jw_int(&w, "signal", sig);
	jw_load(&w);
	jw_end(&w);
	atomic_store(&exiting, 1);
	pthread_join(st, NULL);
	return sig > 0 ? 128 + sig : 0;
}
