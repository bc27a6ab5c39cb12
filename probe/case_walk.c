/*
 * Case c: the tag walk's cost per page (docs/kernel-model.md OP3.2; v4.20+ walks the XArray under
 * xa_lock_irq, pausing every XA_CHECK_SCHED = 4096 entries, C1). Files of n order-0 pages are
 * fallocated on the seal CPU and sealed from it: the seal's local drain (OP3.1) empties this
 * CPU's batch, so no page is tagged, no drain_all and no sleep happen (OP2.2a early exit), and
 * the latency is the fixed syscall cost plus n times the per-page walk.
 */
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const long sizes_full[] = { 1024, 4096, 16384, 65536, 262144 };
static const long sizes_quick[] = { 256, 1024, 4096, 16384 };

static long meminfo_kb(const char *key)
{
	char buf[8192];
	if (read_text("/proc/meminfo", buf, sizeof buf) < 0)
		return -1;
	char *p = strstr(buf, key);
	if (!p)
		return -1;
	return strtol(p + strlen(key), NULL, 10);
}

static bool one(long pages, int rep)
{
	int fd = memfd_new("drainprobe-c", pages);
	if (fd < 0) {
		emit_skip("c", "memfd_create failed");
		return false;
	}
	long huge0 = meminfo_kb("ShmemHugePages:");
	int64_t ta = mono_ns();
	if (fallocate(fd, 0, 0, (off_t)pages * g_page) < 0) {
		char why[128];
		snprintf(why, sizeof why, "fallocate of %ld pages failed: %s", pages, strerror(errno));
		close(fd);
		emit_skip("c", why);
		return false;
	}
	int64_t tb = mono_ns();
	long huge1 = meminfo_kb("ShmemHugePages:");
	struct seal s = seal_write(fd);
	struct jw w;
	jw_begin(&w, "walk");
	jw_str(&w, "case", "c");
	jw_int(&w, "pages", pages);
	jw_int(&w, "rep", rep);
	jw_int(&w, "latencyNs", s.t1 - s.t0);
	jw_str(&w, "result", seal_result(&s));
	jw_int(&w, "errno", s.err);
	jw_int(&w, "fallocateNs", tb - ta);
	jw_int(&w, "shmemHugeKbDelta", huge0 >= 0 && huge1 >= 0 ? huge1 - huge0 : -1);
	jw_end(&w);
	close(fd);
	return true;
}

void case_walk(void)
{
	const long *sizes = g_opt.quick ? sizes_quick : sizes_full;
	int n = g_opt.quick ? 4 : 5;
	/* five: the fit takes the fastest per size (other load only ever adds time) */
	int reps = g_opt.reps ? g_opt.reps : g_opt.quick ? 2 : 5;
	long avail = meminfo_kb("MemAvailable:");
	for (int r = 0; r < reps; r++)
		for (int i = 0; i < n; i++) {
			long kb = sizes[i] * (g_page / 1024);
			/* never push the host into reclaim: keep 4x the file free */
			if (avail >= 0 && kb * 4 > avail) {
				if (r == 0) {
					char why[128];
					snprintf(why, sizeof why, "%ld pages skipped: MemAvailable %ld kB", sizes[i], avail);
					emit_skip("c", why);
				}
				continue;
			}
			/* fallocate + seal + free: ~2 s per GiB is a safe upper bound */
			if (!budget_left(kb * 2000LL + 50000000LL)) {
				if (atomic_load(&g_stop) <= 0)
					emit_skip("c", "budget exhausted; larger files not measured");
				return;
			}
			if (!one(sizes[i], r))
				return;
		}
}
