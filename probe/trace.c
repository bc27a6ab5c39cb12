/*
 * Case d: which CPUs got lru_add_drain_per_cpu work and how long each kworker took to start
 * (docs/kernel-model.md OP5.4-5), from the workqueue trace events.
 *
 * Host state is never changed: when tracefs is not mounted, it is mounted in a private mount
 * namespace (gone when the probe exits, even on SIGKILL); the events are enabled in a private
 * tracing instance (instances/drainprobe-<pid>), never in the top-level buffer, so the host's
 * tracing_on, trace_clock and event enable files are untouched. The instance is removed at exit
 * (also on SIGINT/SIGTERM); a stale one from a killed run is removed at the next start.
 */
#include "probe.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static char tracefs[512];
static char debugfs[512];
static char inst[600];
static bool active;
static char *rbuf;
static const size_t RBUF = 1 << 20;

static bool find_mount(const char *fstype, char *out, size_t n)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return false;
	char line[1024];
	bool found = false;
	while (!found && fgets(line, sizeof line, f)) {
		/* id parent maj:min root mountpoint opts ... - fstype source superopts */
		char mp[512], fs[64];
		char *dash = strstr(line, " - ");
		if (!dash || sscanf(line, "%*s %*s %*s %*s %511s", mp) != 1 ||
		    sscanf(dash + 3, "%63s", fs) != 1)
			continue;
		if (!strcmp(fs, fstype)) {
			snprintf(out, n, "%s", mp);
			found = true;
		}
	}
	fclose(f);
	return found;
}

static bool ns_private;

/* Must run before any thread exists: unshare(CLONE_NEWNS) fails in a threaded process. */
void ns_prepare(void)
{
	bool have_t = find_mount("tracefs", tracefs, sizeof tracefs);
	bool have_d = find_mount("debugfs", debugfs, sizeof debugfs);
	char sec[512];
	bool have_s = find_mount("securityfs", sec, sizeof sec);
	if (have_t && have_d && have_s)
		return;
	if (unshare(CLONE_NEWNS) < 0)
		return;
	/* keep our mounts from propagating to the host's namespace */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return;
	ns_private = true;
	if (!have_t && mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL) == 0)
		snprintf(tracefs, sizeof tracefs, "/sys/kernel/tracing");
	if (!have_d && mount("nodev", "/sys/kernel/debug", "debugfs", 0, NULL) == 0)
		snprintf(debugfs, sizeof debugfs, "/sys/kernel/debug");
	/* securityfs only to read the lockdown state (sched.c) */
	if (!have_s)
		mount("none", "/sys/kernel/security", "securityfs", 0, NULL);
}

const char *debugfs_path(void)
{
	return debugfs[0] ? debugfs : NULL;
}

static int inst_write(const char *rel, const char *val)
{
	char p[1024];
	snprintf(p, sizeof p, "%s/%s", inst, rel);
	return write_text(p, val);
}

/* Is pid a running drainprobe? (a pid reused by another program does not keep an instance) */
static bool probe_alive(int pid)
{
	if (kill(pid, 0) < 0 && errno == ESRCH)
		return false;
	char p[64], comm[64] = "";
	snprintf(p, sizeof p, "/proc/%d/comm", pid);
	if (read_text(p, comm, sizeof comm) <= 0)
		return true; /* cannot tell: leave it */
	comm[strcspn(comm, "\n")] = 0;
	return !strcmp(comm, "drainprobe");
}

/* Instances named drainprobe-<pid> whose probe is gone (killed with SIGKILL: no teardown ran).
 * Called at every start, whatever the cases, so a killed run's events stop at the next run. */
void trace_remove_stale(void)
{
	if (!tracefs[0])
		return;
	char dir[600];
	snprintf(dir, sizeof dir, "%s/instances", tracefs);
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		int pid;
		char tail;
		if (sscanf(e->d_name, "drainprobe-%d%c", &pid, &tail) == 1 && pid > 0 && pid != getpid() &&
		    !probe_alive(pid)) {
			char p[900];
			snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
			if (rmdir(p) == 0)
				note("removed stale tracing instance %s", p);
		}
	}
	closedir(d);
}

int trace_setup(char *why, size_t wl)
{
	if (!tracefs[0]) {
		snprintf(why, wl, "tracefs is not mounted and could not be mounted privately%s",
			 ns_private ? "" : " (unshare(CLONE_NEWNS) not permitted)");
		return -1;
	}
	char p[700];
	snprintf(p, sizeof p, "%s/instances", tracefs);
	if (access(p, W_OK) < 0) {
		snprintf(why, wl, "%s not writable: %s", p, strerror(errno));
		return -1;
	}
	trace_remove_stale();
	snprintf(inst, sizeof inst, "%s/instances/drainprobe-%d", tracefs, (int)getpid());
	if (mkdir(inst, 0700) < 0) {
		snprintf(why, wl, "mkdir %s: %s", inst, strerror(errno));
		inst[0] = 0;
		return -1;
	}
	rbuf = malloc(RBUF);
	/* mono: timestamps on CLOCK_MONOTONIC, the probe's own clock */
	if (!rbuf || inst_write("buffer_size_kb", "512") || inst_write("trace_clock", "mono")) {
		snprintf(why, wl, "configuring the tracing instance failed: %s", strerror(errno));
		trace_teardown();
		return -1;
	}
	/* keep only our work function where the filter syntax is supported (6.x: .function) */
	static const char *ev[] = { "workqueue_queue_work", "workqueue_execute_start",
				    "workqueue_execute_end" };
	for (int i = 0; i < 3; i++) {
		char rel[200];
		snprintf(rel, sizeof rel, "events/workqueue/%s/filter", ev[i]);
		if (inst_write(rel, "function.function == lru_add_drain_per_cpu"))
			inst_write(rel, "0");
		snprintf(rel, sizeof rel, "events/workqueue/%s/enable", ev[i]);
		if (inst_write(rel, "1")) {
			snprintf(why, wl, "enabling %s failed: %s", ev[i], strerror(errno));
			trace_teardown();
			return -1;
		}
	}
	active = true;
	struct jw w;
	jw_begin(&w, "trace-setup");
	jw_str(&w, "case", "d");
	jw_str(&w, "instance", inst);
	jw_bool(&w, "privateMount", ns_private && !strcmp(tracefs, "/sys/kernel/tracing"));
	jw_end(&w);
	return 0;
}

bool trace_active(void)
{
	return active;
}

void trace_clear(void)
{
	char p[700];
	snprintf(p, sizeof p, "%s/trace", inst);
	int fd = open(p, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd >= 0)
		close(fd);
}

struct ev { int cpu; int64_t ts; char what; char work[32]; int target; };

/* "  comm-pid  [001] d..2.  123.456789: workqueue_queue_work: work struct=... cpu=1" */
static bool parse_line(char *l, struct ev *e)
{
	if (!strstr(l, "lru_add_drain_per_cpu") && !strstr(l, "workqueue_execute_end"))
		return false;
	char *b = strstr(l, "] ");
	char *lb = b ? memrchr(l, '[', (size_t)(b - l)) : NULL;
	if (!lb)
		return false;
	e->cpu = atoi(lb + 1);
	char *colon = strstr(b, ": workqueue_");
	if (!colon)
		return false;
	char *ts = colon;
	while (ts > b && ts[-1] != ' ')
		ts--;
	long long sec = 0, usec = 0;
	if (sscanf(ts, "%lld.%lld", &sec, &usec) != 2)
		return false;
	e->ts = sec * 1000000000LL + usec * 1000LL;
	char *name = colon + 2;
	e->what = !strncmp(name, "workqueue_queue_work", 20) ? 'q'
		: !strncmp(name, "workqueue_execute_start", 23) ? 's' : 'e';
	/* queue_work prints "work struct=%p", execute_start/end "work struct %p:" */
	char *ws = strstr(name, "work struct");
	if (!ws)
		return false;
	ws += 11;
	while (*ws == '=' || *ws == ' ')
		ws++;
	if (sscanf(ws, "%31[^: ]", e->work) != 1)
		return false;
	e->target = -1;
	char *c = strstr(name, " cpu=");
	if (c)
		e->target = atoi(c + 5);
	return true;
}

void trace_collect(struct jw *w, int64_t t0)
{
	char p[700];
	snprintf(p, sizeof p, "%s/trace", inst);
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	size_t n = 0;
	if (fd >= 0) {
		ssize_t r;
		while (n < RBUF - 1 && (r = read(fd, rbuf + n, RBUF - 1 - n)) > 0)
			n += (size_t)r;
		close(fd);
	}
	rbuf[n] = 0;
	enum { MAXE = 256 }; /* 16 CPUs x 3 events, and more where the filter is not supported */
	struct ev evs[MAXE];
	int ne = 0;
	for (char *save, *l = strtok_r(rbuf, "\n", &save); l && ne < MAXE; l = strtok_r(NULL, "\n", &save))
		if (l[0] != '#' && parse_line(l, &evs[ne]))
			ne++;
	/* pair each queue event with the start/end of the same work struct that follow it */
	char arr[8192];
	size_t an = 0;
	int works = 0;
	bool cut = false;
	arr[an++] = '[';
	for (int i = 0; i < ne; i++) {
		if (evs[i].what != 'q')
			continue;
		int64_t st = -1, en = -1;
		int cpu = evs[i].target;
		for (int j = i + 1; j < ne; j++) {
			if (strcmp(evs[j].work, evs[i].work))
				continue;
			if (evs[j].what == 's' && st < 0) {
				st = evs[j].ts;
				cpu = evs[j].cpu;
			} else if (evs[j].what == 'e' && st >= 0) {
				en = evs[j].ts;
				break;
			} else if (evs[j].what == 'q') {
				break;
			}
		}
		char item[256];
		int r = snprintf(item, sizeof item,
				 "%s{\"cpu\":%d,\"fromCpu\":%d,\"queuedNs\":%lld,\"startNs\":%lld,\"endNs\":%lld,\"startDelayNs\":%lld}",
				 works ? "," : "", cpu, evs[i].cpu, (long long)(evs[i].ts - t0),
				 (long long)(st >= 0 ? st - t0 : -1), (long long)(en >= 0 ? en - t0 : -1),
				 (long long)(st >= 0 ? st - evs[i].ts : -1));
		/* snprintf returns what it would have written: add only what fits, with room for "]" */
		if (r < 0 || (size_t)r >= sizeof item || an + (size_t)r + 2 > sizeof arr) {
			cut = true;
			break;
		}
		memcpy(arr + an, item, (size_t)r);
		an += (size_t)r;
		works++;
	}
	arr[an++] = ']';
	arr[an] = 0;
	if (cut)
		jw_bool(w, "worksTruncated", true);
	jw_int(w, "events", ne);
	jw_raw(w, "works", arr);
}

void trace_teardown(void)
{
	if (!inst[0])
		return;
	active = false;
	/* removing the instance drops its buffer and its event enables together */
	for (int i = 0; i < 50; i++) {
		if (rmdir(inst) == 0 || errno == ENOENT)
			break;
		sleep_ns(20000000); /* EBUSY while a reader still has a file open */
	}
	if (access(inst, F_OK) == 0)
		note("could not remove tracing instance %s: %s", inst, strerror(errno));
	inst[0] = 0;
	free(rbuf);
	rbuf = NULL;
}
