/*
 * drainrec: the tracefs side of `drainlab record` (src/trace/record.ts). A standalone program (its
 * own main), built beside the probe by probe/build.mjs.
 *
 * It never changes the host's tracing state, like the probe's case d (probe/trace.c):
 * - when tracefs is not mounted, it is mounted in a private mount namespace (unshare(CLONE_NEWNS),
 *   "/" made private first), so the mount is gone when this process exits, even on SIGKILL;
 * - the events are enabled in a private tracing instance (instances/drainlab-rec-<pid>), never in
 *   the top-level buffer; removing the instance drops its buffer and its event enables together.
 *   It is removed on exit (also on SIGINT/SIGTERM and when stdin closes); a stale one left by a
 *   killed run is removed at the next start.
 *
 * Usage: drainrec [--buffer-kb N] [--cpumask HEX] [--stop-on-eof] EVENT[:FILTER]...  (EVENT: system/name)
 * stdout: the instance's trace_pipe, as the kernel prints it (one event a line).
 * stderr: JSON lines: {"type":"setup",...}, {"type":"event",name,enabled,filter,filterOk,error?},
 *         {"type":"stats",cpus:[{cpu,entries,overrun,commitOverrun,dropped,readEvents}]},
 *         {"type":"teardown",removed}; or {"type":"error",message} and exit 3 when tracing cannot
 *         be set up (no tracefs, not root ...).
 * Stops on SIGINT, SIGTERM, or (with --stop-on-eof) EOF on stdin: disables the events, drains what is left in the
 * buffer, prints the per-CPU overrun counters, removes the instance.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static char tracefs[512];
static char inst[700];
static volatile sig_atomic_t stop;
static int private_mount;

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void fail(const char *msg)
{
	fprintf(stderr, "{\"type\":\"error\",\"message\":");
	json_str(stderr, msg);
	fprintf(stderr, "}\n");
	exit(3);
}

static int find_tracefs(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return 0;
	char line[1024];
	int found = 0;
	while (!found && fgets(line, sizeof line, f)) {
		char mp[512], fs[64];
		char *dash = strstr(line, " - ");
		if (!dash || sscanf(line, "%*s %*s %*s %*s %511s", mp) != 1 || sscanf(dash + 3, "%63s", fs) != 1)
			continue;
		if (!strcmp(fs, "tracefs")) {
			snprintf(tracefs, sizeof tracefs, "%s", mp);
			found = 1;
		}
	}
	fclose(f);
	return found;
}

static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, val, strlen(val));
	int e = errno;
	close(fd);
	errno = e;
	return n == (ssize_t)strlen(val) ? 0 : -1;
}

static int inst_write(const char *rel, const char *val)
{
	char p[1200];
	snprintf(p, sizeof p, "%s/%s", inst, rel);
	return write_file(p, val);
}

static void remove_stale(void)
{
	char dir[600];
	snprintf(dir, sizeof dir, "%s/instances", tracefs);
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		int pid;
		if (sscanf(e->d_name, "drainlab-rec-%d", &pid) == 1 && pid != getpid() && kill(pid, 0) < 0 && errno == ESRCH) {
			char p[900];
			snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
			if (rmdir(p) == 0)
				fprintf(stderr, "{\"type\":\"note\",\"message\":\"removed stale tracing instance %s\"}\n", e->d_name);
		}
	}
	closedir(d);
}

static void remove_instance(void)
{
	if (!inst[0])
		return;
	int ok = 0;
	for (int i = 0; i < 100; i++) {
		if (rmdir(inst) == 0 || errno == ENOENT) {
			ok = 1;
			break;
		}
		usleep(20000); /* EBUSY while a reader still holds a file of it open */
	}
	fprintf(stderr, "{\"type\":\"teardown\",\"removed\":%s,\"instance\":", ok ? "true" : "false");
	json_str(stderr, inst);
	fprintf(stderr, "}\n");
	inst[0] = 0;
}

static void on_signal(int s)
{
	(void)s;
	stop = 1;
}

/*
 * Page events come in bursts (a batch of up to 31 folios moved to the LRU at once, a readahead
 * of many pages into the page cache) and outnumber everything else by far. A burst of one event
 * kind by one task on one CPU, each event within 50 us of the previous, goes out as its first
 * line with " drainrec_burst n=N last=SEC.USEC" appended, so the reader parses one line per burst.
 */
struct burst {
	char line[512];
	int kind, cpu, pid;
	long long first_us, last_us;
	long n;
};
static struct burst open_bursts[3 * 1024];

static void burst_emit(struct burst *b)
{
	if (!b->n)
		return;
	size_t l = strlen(b->line);
	while (l && (b->line[l - 1] == '\n' || b->line[l - 1] == ' '))
		b->line[--l] = 0;
	printf("%s drainrec_burst n=%ld last=%lld.%06lld\n", b->line, b->n, b->last_us / 1000000, b->last_us % 1000000);
	b->n = 0;
}

static void bursts_flush(void)
{
	for (size_t i = 0; i < sizeof open_bursts / sizeof open_bursts[0]; i++)
		burst_emit(&open_bursts[i]);
}

static const char *burst_kinds[3] = { ": mm_lru_insertion:", ": mm_lru_activate:", ": mm_page_alloc:" };

/* One whole line: merged into its burst, or written out as it is. */
static void handle_line(const char *l)
{
	int kind = -1;
	for (int k = 0; k < 3 && kind < 0; k++)
		if (strstr(l, burst_kinds[k]))
			kind = k;
	const char *lb = kind >= 0 ? strstr(l, "] ") : NULL;
	const char *br = lb ? lb : NULL;
	while (br && br > l && *br != '[')
		br--;
	const char *dash = br;
	while (dash && dash > l && *dash != '-')
		dash--;
	int cpu = br ? atoi(br + 1) : -1, pid = dash ? atoi(dash + 1) : -1;
	const char *ts = kind >= 0 ? strstr(l, burst_kinds[kind]) : NULL;
	long long sec = 0, usec = 0;
	if (ts) {
		while (ts > l && ts[-1] != ' ')
			ts--;
	}
	if (kind < 0 || cpu < 0 || cpu >= 1024 || !ts || sscanf(ts, "%lld.%lld", &sec, &usec) != 2) {
		fputs(l, stdout);
		return;
	}
	long long t = sec * 1000000LL + usec;
	struct burst *b = &open_bursts[kind * 1024 + cpu];
	if (b->n && b->pid == pid && t - b->last_us <= 50) {
		b->n++;
		b->last_us = t;
		return;
	}
	burst_emit(b);
	snprintf(b->line, sizeof b->line, "%.500s", l);
	b->kind = kind;
	b->cpu = cpu;
	b->pid = pid;
	b->first_us = b->last_us = t;
	b->n = 1;
}

static char pending[1 << 16];
static size_t npending;

/* Copies what trace_pipe has now (non-blocking, at most `max` reads) to stdout; returns bytes read. */
static long pump(int fd, char *buf, size_t n, int max)
{
	long total = 0;
	for (int i = 0; i < max; i++) {
		ssize_t r = read(fd, buf, n);
		if (r <= 0)
			break;
		total += r;
		for (ssize_t k = 0; k < r; k++) {
			if (npending < sizeof pending - 1)
				pending[npending++] = buf[k];
			if (buf[k] == '\n') {
				pending[npending] = 0;
				handle_line(pending);
				npending = 0;
			}
		}
	}
	fflush(stdout);
	return total;
}

static long stat_field(const char *text, const char *key)
{
	const char *p = strstr(text, key);
	return p ? atol(p + strlen(key)) : -1;
}

int main(int argc, char **argv)
{
	const char *buffer_kb = "4096", *cpumask = NULL;
	int first_ev = 1, watch_stdin = 0;
	for (; first_ev < argc && !strncmp(argv[first_ev], "--", 2); first_ev += 2) {
		if (!strcmp(argv[first_ev], "--stop-on-eof")) {
			watch_stdin = 1;
			first_ev--;
			continue;
		}
		if (first_ev + 1 >= argc)
			fail("usage: drainrec [--buffer-kb N] [--cpumask HEX] system/event[:filter]...");
		if (!strcmp(argv[first_ev], "--buffer-kb"))
			buffer_kb = argv[first_ev + 1];
		else if (!strcmp(argv[first_ev], "--cpumask"))
			cpumask = argv[first_ev + 1];
		else
			fail("usage: drainrec [--buffer-kb N] [--cpumask HEX] system/event[:filter]...");
	}
	if (first_ev >= argc)
		fail("no events given");
	if (geteuid() != 0)
		fail("tracing needs root (CAP_SYS_ADMIN to mount tracefs and create an instance); run drainlab record as root");
	if (!find_tracefs()) {
		if (unshare(CLONE_NEWNS) < 0) {
			char m[300];
			snprintf(m, sizeof m, "tracefs is not mounted and unshare(CLONE_NEWNS) failed: %s", strerror(errno));
			fail(m);
		}
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			fail("cannot make / private in the new mount namespace");
		if (mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL) < 0) {
			char m[300];
			snprintf(m, sizeof m, "mounting tracefs privately on /sys/kernel/tracing failed: %s (is CONFIG_TRACING on?)", strerror(errno));
			fail(m);
		}
		snprintf(tracefs, sizeof tracefs, "/sys/kernel/tracing");
		private_mount = 1;
	}
	char p[800];
	snprintf(p, sizeof p, "%s/instances", tracefs);
	if (access(p, W_OK) < 0) {
		char m[900];
		snprintf(m, sizeof m, "%s is not writable: %s", p, strerror(errno));
		fail(m);
	}
	remove_stale();
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	snprintf(inst, sizeof inst, "%s/instances/drainlab-rec-%d", tracefs, (int)getpid());
	if (mkdir(inst, 0700) < 0) {
		char m[900];
		snprintf(m, sizeof m, "mkdir %s: %s", inst, strerror(errno));
		inst[0] = 0;
		fail(m);
	}
	/* mono: CLOCK_MONOTONIC timestamps, comparable across CPUs and with the workload's clock */
	if (inst_write("buffer_size_kb", buffer_kb) || inst_write("trace_clock", "mono") ||
	    (cpumask && inst_write("tracing_cpumask", cpumask))) {
		char m[300];
		snprintf(m, sizeof m, "configuring the tracing instance failed: %s", strerror(errno));
		remove_instance();
		fail(m);
	}
	fprintf(stderr, "{\"type\":\"setup\",\"instance\":");
	json_str(stderr, inst);
	fprintf(stderr, ",\"privateMount\":%s,\"bufferKb\":%s,\"clock\":\"mono\"}\n", private_mount ? "true" : "false", buffer_kb);
	int enabled = 0;
	for (int i = first_ev; i < argc; i++) {
		char ev[256], rel[600];
		const char *filter = strchr(argv[i], ':');
		snprintf(ev, sizeof ev, "%.*s", filter ? (int)(filter - argv[i]) : (int)strlen(argv[i]), argv[i]);
		int filter_ok = 1;
		if (filter) {
			snprintf(rel, sizeof rel, "events/%s/filter", ev);
			filter_ok = inst_write(rel, filter + 1) == 0;
		}
		snprintf(rel, sizeof rel, "events/%s/enable", ev);
		int ok = inst_write(rel, "1") == 0;
		int e = errno;
		enabled += ok;
		fprintf(stderr, "{\"type\":\"event\",\"name\":");
		json_str(stderr, ev);
		fprintf(stderr, ",\"enabled\":%s,\"filter\":", ok ? "true" : "false");
		json_str(stderr, filter ? filter + 1 : "");
		fprintf(stderr, ",\"filterOk\":%s", filter_ok ? "true" : "false");
		if (!ok) {
			fprintf(stderr, ",\"error\":");
			json_str(stderr, strerror(e));
		}
		fprintf(stderr, "}\n");
	}
	if (!enabled) {
		remove_instance();
		fail("no event could be enabled");
	}
	snprintf(p, sizeof p, "%s/trace_pipe", inst);
	int tp = open(p, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (tp < 0) {
		remove_instance();
		fail("cannot open the instance's trace_pipe");
	}
	fprintf(stderr, "{\"type\":\"recording\"}\n");
	static char buf[1 << 16];
	struct pollfd pf[2] = { { .fd = tp, .events = POLLIN }, { .fd = watch_stdin ? 0 : -1, .events = POLLIN } };
	while (!stop) {
		int r = poll(pf, 2, 100);
		if (r < 0 && errno != EINTR)
			break;
		if (pf[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			char c;
			if (read(0, &c, 1) <= 0)
				break; /* stdin closed: the parent says stop */
		}
		pump(tp, buf, sizeof buf, 64); /* bounded: the stop conditions are checked between pumps */
	}
	/* disable first, so nothing more arrives, then read what is left */
	for (int i = first_ev; i < argc; i++) {
		char ev[256], rel[600];
		const char *filter = strchr(argv[i], ':');
		snprintf(ev, sizeof ev, "%.*s", filter ? (int)(filter - argv[i]) : (int)strlen(argv[i]), argv[i]);
		snprintf(rel, sizeof rel, "events/%s/enable", ev);
		inst_write(rel, "0");
	}
	while (pump(tp, buf, sizeof buf, 64) > 0)
		;
	bursts_flush();
	fflush(stdout);
	close(tp);
	/* the ring buffer's per-CPU counters: events lost to overwrite (overrun) or dropped */
	fprintf(stderr, "{\"type\":\"stats\",\"cpus\":[");
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);
	int firstc = 1;
	for (long c = 0; c < ncpu; c++) {
		snprintf(p, sizeof p, "%s/per_cpu/cpu%ld/stats", inst, c);
		int fd = open(p, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		char t[2048];
		ssize_t n = read(fd, t, sizeof t - 1);
		close(fd);
		if (n <= 0)
			continue;
		t[n] = 0;
		fprintf(stderr, "%s{\"cpu\":%ld,\"entries\":%ld,\"overrun\":%ld,\"commitOverrun\":%ld,\"dropped\":%ld,\"readEvents\":%ld}",
			firstc ? "" : ",", c, stat_field(t, "entries: "), stat_field(t, "\noverrun: "),
			stat_field(t, "commit overrun: "), stat_field(t, "dropped events: "), stat_field(t, "read events: "));
		firstc = 0;
	}
	fprintf(stderr, "]}\n");
	remove_instance();
	return 0;
}
