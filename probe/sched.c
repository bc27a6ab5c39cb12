/*
 * What decides when a CFS kworker gets a CPU away from a SCHED_FIFO spinner (docs/kernel-model.md
 * OP5 "Unbounded waiting", E2.8): RT throttling (sched_rt_runtime_us per sched_rt_period_us,
 * C1) and, since 6.12, the fair deadline server (50 ms per 1 s by default, deferred). The
 * fair_server files live in debugfs, which kernel lockdown may forbid; reading it there only
 * logs a lockdown warning, so the lockdown state is checked first.
 */
#include "probe.h"

#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

static void lockdown_state(char *out, size_t n)
{
	char buf[128];
	snprintf(out, n, "unknown");
	if (read_text("/sys/kernel/security/lockdown", buf, sizeof buf) < 0)
		return;
	char *l = strchr(buf, '['), *r = l ? strchr(l, ']') : NULL;
	if (l && r) {
		*r = 0;
		snprintf(out, n, "%s", l + 1);
	}
}

void report_sched(void)
{
	char lock[32], p[512], rel[64];
	lockdown_state(lock, sizeof lock);
	struct jw w;
	jw_begin(&w, "sched");
	jw_int(&w, "rtRuntimeUs", read_long("/proc/sys/kernel/sched_rt_runtime_us", -2));
	jw_int(&w, "rtPeriodUs", read_long("/proc/sys/kernel/sched_rt_period_us", -2));
	jw_int(&w, "autogroup", read_long("/proc/sys/kernel/sched_autogroup_enabled", -1));
	jw_str(&w, "lockdown", lock);
	const char *dbg = debugfs_path();
	bool readable = dbg && !strcmp(lock, "none");
	snprintf(rel, sizeof rel, "sched/fair_server/cpu%d", g_opt.remote_cpu);
	if (dbg) {
		struct stat st;
		snprintf(p, sizeof p, "%s/%s", dbg, rel);
		jw_bool(&w, "fairServer", stat(p, &st) == 0);
	}
	if (readable) {
		snprintf(p, sizeof p, "%s/%s/runtime", dbg, rel);
		jw_int(&w, "fairServerRuntimeNs", read_long(p, -1));
		snprintf(p, sizeof p, "%s/%s/period", dbg, rel);
		jw_int(&w, "fairServerPeriodNs", read_long(p, -1));
		char feat[4096];
		snprintf(p, sizeof p, "%s/sched/features", dbg);
		if (read_text(p, feat, sizeof feat) > 0) {
			char *f = strstr(feat, "RT_RUNTIME_SHARE");
			/* "NO_RT_RUNTIME_SHARE" when off; look back only inside the buffer */
			jw_str(&w, "rtRuntimeShare", !f ? "absent" : (f - feat >= 3 && !strncmp(f - 3, "NO_", 3)) ? "off" : "on");
		}
		snprintf(p, sizeof p, "%s/sched/preempt", dbg);
		char pre[128];
		if (read_text(p, pre, sizeof pre) > 0)
			jw_str(&w, "preempt", pre);
	} else {
		jw_str(&w, "fairServerParams", dbg ? "unreadable: debugfs restricted by lockdown" : "unreadable: no debugfs");
	}
	jw_end(&w);
}
