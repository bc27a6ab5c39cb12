/*
 * drainprobe: measures the Linux memfd F_SEAL_WRITE pin-wait path and lru_add_drain_all()
 * on the running kernel (docs/calibration.md). One JSON object per line on stdout,
 * each with a "kind"; diagnostics on stderr. Every case is bounded in time, every spinner
 * has a hard deadline, and all host state the probe touches is restored (or lives in a
 * private mount namespace / a private tracing instance that is removed at exit).
 */
#ifndef DRAINPROBE_H
#define DRAINPROBE_H

#define _GNU_SOURCE
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define PROBE_VERSION 1
#define SEAL_CPU_DEFAULT 0
#define REMOTE_CPU_DEFAULT 1

enum { CASE_A = 1, CASE_B = 2, CASE_C = 4, CASE_D = 8, CASE_E = 16, CASE_F = 32, CASE_G = 64 };
/* the case letters, one per bit of CASE_* */
#define CASE_LETTERS "abcdefg"

struct opts {
	bool quick;
	int cases;          /* CASE_* bits */
	int64_t budget_ms;  /* whole run, hard */
	int seal_cpu;
	int remote_cpu;
	int reps;           /* 0 = default per case */
	int64_t rt_pre_ns[8]; /* pre-run of the RT spinner before each RT seal */
	int rt_n;           /* -1 = default list */
	int64_t rt_lead_ns[8]; /* CFS spin before the RT spin, per RT seal */
};

extern struct opts g_opt;
/* 0 while running; the signal number once one arrived; -1 when the budget ran out. */
extern _Atomic int g_stop;
extern int64_t g_deadline_ns; /* CLOCK_MONOTONIC end of budget */
extern int64_t g_tick_ns;     /* 1/HZ, from clock_getres(CLOCK_MONOTONIC_COARSE) */
extern int64_t g_tick_phase;  /* CLOCK_MONOTONIC of one tick, mod g_tick_ns */
extern long g_page;

/* util.c */
int64_t mono_ns(void);
int pin_self(int cpu);
bool stopping(void);
bool budget_left(int64_t need_ns);
void sleep_until(int64_t t_ns);
void sleep_ns(int64_t d);
void nap_ns(int64_t d);
void nap_until(int64_t t_ns);
int read_text(const char *path, char *buf, size_t n);
long read_long(const char *path, long dflt);
int write_text(const char *path, const char *s);
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* json.c: one object per line, flushed at once so an interrupted run keeps what it printed */
struct jw { char buf[16384]; size_t n; bool first; bool overflow; char kind[32]; };
void jw_begin(struct jw *w, const char *kind);
void jw_int(struct jw *w, const char *k, int64_t v);
void jw_num(struct jw *w, const char *k, double v);
void jw_str(struct jw *w, const char *k, const char *v);
void jw_bool(struct jw *w, const char *k, bool v);
void jw_raw(struct jw *w, const char *k, const char *json);
void jw_end(struct jw *w);
void emit_skip(const char *cs, const char *reason);

/* tick.c */
int tick_calibrate(void);
struct tickpos { int64_t start_since_tick, end_since_tick, ticks; };
struct tickpos tick_pos(int64_t t0, int64_t t1);
void jw_tick(struct jw *w, int64_t t0, int64_t t1);
int64_t at_tick_offset(int64_t min_delay, int64_t offset);
int64_t spread_offset(int k);

/* remote.c: a worker thread bound to the remote CPU */
enum rclass { RC_IDLE, RC_BUSY, RC_RT };
extern const char *const rclass_name[];
int remote_start(int cpu);
void remote_stop(void);
/* write npages of 4 KiB into fd on the remote CPU (they park in its lru_add batch), then
 * stay idle, or spin as CFS / SCHED_FIFO until remote_release() or spin_max_ns. */
int remote_write_then(int fd, int npages, enum rclass c, int64_t spin_max_ns, int64_t cfs_lead_ns);
/* wait until the remote CPU is spinning (or idle after the write); false on timeout */
bool remote_wait_parked(int64_t timeout_ns);
void remote_release(void);
/* read everything from pipe fd at absolute time t_ns; returns at once */
int remote_drain_pipe_at(int fd, size_t bytes, int64_t t_ns);
/* wait for the current command; returns the completion time (0 on timeout) */
int64_t remote_wait_done(int64_t timeout_ns);
int remote_last_errno(void);
int64_t remote_spin_started(void);
bool remote_spin_capped(void);

/* seal.c */
struct seal { int64_t t0, t1; int rc, err; };
struct seal seal_write(int fd);
const char *seal_result(const struct seal *s);
int memfd_new(const char *name, long pages);

/* trace.c: a private tracing instance for the workqueue events */
int trace_setup(char *why, size_t whylen);
bool trace_active(void);
void trace_clear(void);
void trace_collect(struct jw *w, int64_t t0);
void trace_teardown(void);
void trace_remove_stale(void); /* instances of probes no longer running, at start */
void ns_prepare(void); /* private mount namespace, before any thread exists */
const char *debugfs_path(void);

/* cases */
void case_recheck(void);
void case_drain(void);
void case_walk(void);
void case_trace_only(void);
void case_busy_sealer(void);      /* case_busy.c: e */
void case_rt_phase(bool two);     /* case_busy.c: f */
/* case_recheck.c: a memfd of npages pinned by vmsplice into pipefd (unmapped); -1 on failure */
int pinned_memfd(int pipefd[2], int npages);
/* case_drain.c: one case b seal with the remote CPU in class c; false when it cannot run */
bool drain_one(const char *cs, enum rclass c, int rep, int64_t pre_run_ns, int64_t lead_ns);
void case_guest(void);         /* case_guest.c: g */
void report_sched(void);

#endif
