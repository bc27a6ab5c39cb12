/*
 * The worker bound to the remote CPU (CPU 1 by default). It puts pages into that CPU's
 * lru_add folio batch (docs/kernel-model.md A2, OP7: a new shmem page goes to the allocating CPU's
 * batch with an extra ref) and then leaves the CPU idle, or occupies it with a CFS or a
 * SCHED_FIFO spinner, so the sealer's lru_add_drain_all() (OP5) must wait for that CPU's
 * kworker. It also plays the pipe reader that drops vmsplice page refs at a chosen time.
 *
 * Safety: every spin has a hard deadline and watches g_stop; an RT spin also runs under
 * RLIMIT_RTTIME (set in main), and the thread drops back to SCHED_OTHER before it waits.
 */
#include "probe.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

const char *const rclass_name[] = { "idle", "busy", "rt" };

enum { CMD_NONE, CMD_WRITE, CMD_DRAIN };

static struct {
	pthread_t th;
	bool up;
	int cpu;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint64_t seq, done_seq;
	int cmd;
	bool quit; /* set under mu by remote_stop: seen even while a command is still running */
	int fd, npages;
	enum rclass cls;
	int64_t spin_max, at, cfs_lead;
	size_t bytes;
	char *buf;
	size_t buflen;
	_Atomic int parked, release;
	_Atomic int64_t spin_start;
	bool capped;
	int err;
	int64_t t_done;
	int64_t t_drained; /* CMD_DRAIN: when the pipe was empty */
} R = { .mu = PTHREAD_MUTEX_INITIALIZER };

/* Spin as what we are now until `until`, release or stop; false when told to stop. */
static bool spin_plain(int64_t until)
{
	while (!atomic_load_explicit(&R.release, memory_order_relaxed) &&
	       !atomic_load_explicit(&g_stop, memory_order_relaxed))
		if (mono_ns() > until)
			return true;
	return false;
}

static void spin(enum rclass c)
{
	/* optional CFS lead-in before going RT: it starts the fair dl-server's period well
	 * before the RT spin, which separates dl-server from RT-throttling timing (sched.c) */
	if (c == RC_RT && R.cfs_lead > 0 && !spin_plain(mono_ns() + R.cfs_lead)) {
		atomic_store(&R.parked, 1);
		return;
	}
	if (c == RC_RT) {
		struct sched_param sp = { .sched_priority = 1 };
		if (pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp)) {
			R.err = EPERM;
			atomic_store(&R.parked, 1);
			return;
		}
		/* block once as RT: the wakeup resets the RLIMIT_RTTIME count (rt.timeout), so the
		 * backstop limit applies to this spin alone, not to every RT spin of the run */
		sleep_ns(100000);
	}
	int64_t t = mono_ns(), end = t + R.spin_max;
	atomic_store(&R.spin_start, t);
	atomic_store(&R.parked, 1);
	while (!atomic_load_explicit(&R.release, memory_order_relaxed) &&
	       !atomic_load_explicit(&g_stop, memory_order_relaxed)) {
		if (mono_ns() > end) { /* the hard deadline: never spin longer */
			R.capped = true;
			break;
		}
	}
	if (c == RC_RT) {
		struct sched_param sp = { .sched_priority = 0 };
		pthread_setschedparam(pthread_self(), SCHED_OTHER, &sp);
	}
}

static void do_write(void)
{
	size_t len = (size_t)R.npages * (size_t)g_page;
	if (len > R.buflen) {
		R.err = EINVAL;
		atomic_store(&R.parked, 1);
		return;
	}
	/* pwrite allocates the pages here, so they sit in this CPU's lru_add batch */
	if (pwrite(R.fd, R.buf, len, 0) != (ssize_t)len) {
		R.err = errno ? errno : EIO;
		atomic_store(&R.parked, 1);
		return;
	}
	if (R.cls == RC_IDLE)
		atomic_store(&R.parked, 1);
	else
		spin(R.cls);
}

static void do_drain(void)
{
	/* the reader's wake-up is part of the release time: keep other load from delaying it */
	setpriority(PRIO_PROCESS, (id_t)gettid(), -20);
	sleep_until(R.at);
	size_t left = R.bytes;
	while (left > 0) {
		ssize_t n = read(R.fd, R.buf, left < R.buflen ? left : R.buflen);
		if (n <= 0) {
			R.err = n < 0 ? errno : EIO;
			break;
		}
		left -= (size_t)n;
	}
	/* the release time, taken before the drop to nice 0: on a loaded CPU the renice itself can
	 * let other tasks in first, and a timestamp after it came tens of ms late (issue 14) */
	R.t_drained = mono_ns();
	setpriority(PRIO_PROCESS, (id_t)gettid(), 0); /* a spinner must compete as nice 0 */
}

static void *worker(void *arg)
{
	(void)arg;
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0); /* wake at the asked time, not 50 us later */
	if (pin_self(R.cpu))
		R.err = errno;
	memset(R.buf, 0x5a, R.buflen); /* fault the buffer in now, not inside a measurement */
	pthread_mutex_lock(&R.mu);
	for (;;) {
		while (R.seq == R.done_seq && !R.quit)
			pthread_cond_wait(&R.cv, &R.mu);
		if (R.quit)
			break;
		/* the command and its number are read together: a later submit cannot be marked
		 * done by this one's completion */
		uint64_t my = R.seq;
		int cmd = R.cmd;
		pthread_mutex_unlock(&R.mu);
		if (cmd == CMD_WRITE)
			do_write();
		else if (cmd == CMD_DRAIN)
			do_drain();
		int64_t t = cmd == CMD_DRAIN ? R.t_drained : mono_ns();
		pthread_mutex_lock(&R.mu);
		R.t_done = t;
		R.done_seq = my;
		pthread_cond_broadcast(&R.cv);
	}
	pthread_mutex_unlock(&R.mu);
	return NULL;
}

int remote_start(int cpu)
{
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&R.cv, &ca);
	R.cpu = cpu;
	R.buflen = 64 * (size_t)g_page;
	R.buf = malloc(R.buflen);
	if (!R.buf)
		return -1;
	pthread_attr_t a;
	pthread_attr_init(&a);
	cpu_set_t s;
	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	pthread_attr_setaffinity_np(&a, sizeof s, &s); /* its stack faults land on that CPU too */
	int rc = pthread_create(&R.th, &a, worker, NULL);
	pthread_attr_destroy(&a);
	if (rc) {
		errno = rc;
		return -1;
	}
	R.up = true;
	return 0;
}

static void submit(int cmd)
{
	pthread_mutex_lock(&R.mu);
	R.cmd = cmd;
	R.err = 0;
	R.capped = false;
	atomic_store(&R.parked, 0);
	atomic_store(&R.release, 0);
	atomic_store(&R.spin_start, 0);
	R.seq++;
	pthread_cond_broadcast(&R.cv);
	pthread_mutex_unlock(&R.mu);
}

int64_t remote_wait_done(int64_t timeout_ns)
{
	int64_t end = mono_ns() + timeout_ns;
	struct timespec ts = { .tv_sec = end / 1000000000LL, .tv_nsec = end % 1000000000LL };
	int64_t t = 0;
	pthread_mutex_lock(&R.mu);
	while (R.done_seq != R.seq)
		if (pthread_cond_timedwait(&R.cv, &R.mu, &ts) == ETIMEDOUT)
			break;
	if (R.done_seq == R.seq)
		t = R.t_done;
	pthread_mutex_unlock(&R.mu);
	return t;
}

void remote_stop(void)
{
	if (!R.up)
		return;
	atomic_store(&R.release, 1);
	/* the current command ends: spins see release/g_stop, a pipe drain is <= 250 ms */
	remote_wait_done(5000000000LL);
	pthread_mutex_lock(&R.mu);
	R.quit = true; /* a flag, not a command: nothing can overwrite it */
	pthread_cond_broadcast(&R.cv);
	pthread_mutex_unlock(&R.mu);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 5;
	if (pthread_timedjoin_np(R.th, NULL, &ts)) {
		/* still inside a command (blocked in a read?): leave it; exit ends the thread */
		note("the remote worker did not stop within 5 s; leaving it to process exit");
		R.up = false;
		return;
	}
	R.up = false;
	free(R.buf);
}

int remote_write_then(int fd, int npages, enum rclass c, int64_t spin_max_ns, int64_t cfs_lead_ns)
{
	R.cfs_lead = cfs_lead_ns;
	R.fd = fd;
	R.npages = npages;
	R.cls = c;
	R.spin_max = spin_max_ns;
	submit(CMD_WRITE);
	return 0;
}

bool remote_wait_parked(int64_t timeout_ns)
{
	int64_t end = mono_ns() + timeout_ns;
	while (!atomic_load(&R.parked)) {
		if (mono_ns() > end || atomic_load(&g_stop))
			return false;
		sleep_ns(50000);
	}
	return true;
}

void remote_release(void)
{
	atomic_store(&R.release, 1);
}

int remote_drain_pipe_at(int fd, size_t bytes, int64_t t_ns)
{
	R.fd = fd;
	R.bytes = bytes;
	R.at = t_ns;
	submit(CMD_DRAIN);
	return 0;
}

int remote_last_errno(void) { return R.err; }
int64_t remote_spin_started(void) { return atomic_load(&R.spin_start); }
bool remote_spin_capped(void) { return R.capped; }
