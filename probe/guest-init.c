/*
 * guest-init: /init of the initramfs that `drainlab calibrate --kernel` boots under QEMU
 * (src/calibrate/initramfs.ts builds it, src/calibrate/qemu.ts boots it; docs/calibration.md).
 * A static program, one file, no libc beyond what `gcc -static` links.
 *
 * It mounts proc, sysfs, devtmpfs, tracefs, debugfs and securityfs, reports the guest (uname,
 * online CPUs, the command line, sched features), runs /drainprobe with the arguments in
 * /probe-args (one per line, chosen by the host), and copies every line the probe prints to the
 * data port. Then it syncs and powers the machine off with reboot(2).
 *
 * The data port is the second serial port (/dev/ttyS1), so kernel messages on the console
 * (ttyS0) never interleave with it; when it cannot be opened the lines go to the console. Each
 * line is framed as
 *     @@DRAINLAB <length> <json>\n
 * where <length> is the byte length of <json>: the host keeps a line only when the prefix, the
 * length and the JSON all agree, so a line cut or interleaved by a kernel message is dropped, not
 * misread. The guest's own lines have "kind":"vm" (phase start, probe-exit, done); the probe's
 * case g prints "kind":"guest" lines of its own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define PREFIX "@@DRAINLAB "
#define MAX_ARGS 64

static int out_fd = -1;
static int con_fd = -1;

static void put_line(const char *json, size_t n)
{
	char head[32];
	int h = snprintf(head, sizeof head, PREFIX "%zu ", n);
	/* one buffer, one write: a kernel message can still land between two writes on the console */
	char *buf = malloc(h + n + 1);
	if (!buf)
		return;
	memcpy(buf, head, h);
	memcpy(buf + h, json, n);
	buf[h + n] = '\n';
	size_t len = h + n + 1, off = 0;
	while (off < len) {
		ssize_t w = write(out_fd, buf + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += w;
	}
	free(buf);
}

/* JSON string escaping for the few strings the guest line carries */
static void jesc(char *dst, size_t cap, const char *s)
{
	size_t o = 0;
	for (; *s && o + 7 < cap; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			dst[o++] = '\\';
			dst[o++] = (char)c;
		} else if (c < 0x20) {
			o += snprintf(dst + o, cap - o, "\\u%04x", c);
		} else {
			dst[o++] = (char)c;
		}
	}
	dst[o] = 0;
}

static void read_file(const char *p, char *buf, size_t n)
{
	buf[0] = 0;
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t r = read(fd, buf, n - 1);
	close(fd);
	buf[r > 0 ? r : 0] = 0;
	buf[strcspn(buf, "\n")] = 0;
}

static void console(const char *fmt, ...)
{
	char b[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(b, sizeof b - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof b - 2)
		n = sizeof b - 2;
	b[n++] = '\n';
	if (con_fd >= 0 && write(con_fd, b, n) < 0) {
	}
}

static void power_off(void)
{
	sync();
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}

static void mount_fs(const char *src, const char *dir, const char *type)
{
	mkdir(dir, 0755);
	if (mount(src, dir, type, 0, NULL) < 0 && errno != EBUSY)
		console("guest-init: mount %s on %s failed: %s", type, dir, strerror(errno));
}

static int64_t mono_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int main(void)
{
	mount_fs("proc", "/proc", "proc");
	mount_fs("sysfs", "/sys", "sysfs");
	mount_fs("devtmpfs", "/dev", "devtmpfs");
	mount_fs("tracefs", "/sys/kernel/tracing", "tracefs");
	mount_fs("debugfs", "/sys/kernel/debug", "debugfs");
	mount_fs("securityfs", "/sys/kernel/security", "securityfs");
	mount_fs("tmpfs", "/tmp", "tmpfs");

	con_fd = open("/dev/console", O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (con_fd >= 0) {
		dup2(con_fd, 2); /* the probe's diagnostics go to the console */
	}
	out_fd = open("/dev/ttyS1", O_WRONLY | O_NOCTTY | O_CLOEXEC);
	const char *port = "ttyS1";
	if (out_fd >= 0) {
		struct termios t;
		if (tcgetattr(out_fd, &t) == 0) {
			cfmakeraw(&t);
			cfsetospeed(&t, B115200);
			tcsetattr(out_fd, TCSANOW, &t);
		} else {
			close(out_fd);
			out_fd = -1;
		}
	}
	if (out_fd < 0) {
		out_fd = con_fd;
		port = "console";
	}
	if (out_fd < 0)
		power_off();

	struct utsname u;
	uname(&u);
	char cmdline[1024], feats[2048], esc_cmd[2048], esc_feat[4096], esc_rel[256], esc_ver[512];
	read_file("/proc/cmdline", cmdline, sizeof cmdline);
	read_file("/sys/kernel/debug/sched/features", feats, sizeof feats);
	if (!feats[0])
		read_file("/sys/kernel/debug/sched_features", feats, sizeof feats);
	char rt_runtime[32], rt_period[32], preempt[128];
	read_file("/proc/sys/kernel/sched_rt_runtime_us", rt_runtime, sizeof rt_runtime);
	read_file("/proc/sys/kernel/sched_rt_period_us", rt_period, sizeof rt_period);
	read_file("/sys/kernel/debug/sched/preempt", preempt, sizeof preempt);
	char lru_gen[32];
	read_file("/sys/kernel/mm/lru_gen/enabled", lru_gen, sizeof lru_gen);
	jesc(esc_cmd, sizeof esc_cmd, cmdline);
	jesc(esc_feat, sizeof esc_feat, feats);
	jesc(esc_rel, sizeof esc_rel, u.release);
	jesc(esc_ver, sizeof esc_ver, u.version);
	char esc_pre[256];
	jesc(esc_pre, sizeof esc_pre, preempt);
	{
		char line[12288];
		int n = snprintf(line, sizeof line,
				 "{\"kind\":\"vm\",\"phase\":\"start\",\"release\":\"%s\",\"version\":\"%s\",\"machine\":\"%s\","
				 "\"cpusOnline\":%ld,\"cpusConf\":%ld,\"memKb\":%ld,\"cmdline\":\"%s\",\"schedFeatures\":\"%s\","
				 "\"preemptDynamic\":\"%s\",\"rtRuntimeUs\":%s,\"rtPeriodUs\":%s,\"lruGenEnabled\":\"%s\",\"port\":\"%s\",\"uptimeMs\":%lld}",
				 esc_rel, esc_ver, u.machine, sysconf(_SC_NPROCESSORS_ONLN), sysconf(_SC_NPROCESSORS_CONF),
				 sysconf(_SC_PHYS_PAGES) * (sysconf(_SC_PAGESIZE) / 1024), esc_cmd, esc_feat, esc_pre,
				 rt_runtime[0] ? rt_runtime : "null", rt_period[0] ? rt_period : "null", lru_gen, port,
				 (long long)mono_ms());
		put_line(line, n < (int)sizeof line ? (size_t)n : sizeof line - 1);
	}

	/* the probe's arguments: one per line */
	char args_buf[4096];
	char *argv[MAX_ARGS + 2];
	int argc = 0;
	argv[argc++] = "/drainprobe";
	int afd = open("/probe-args", O_RDONLY | O_CLOEXEC);
	if (afd >= 0) {
		ssize_t r = read(afd, args_buf, sizeof args_buf - 1);
		close(afd);
		args_buf[r > 0 ? r : 0] = 0;
		for (char *save = NULL, *t = strtok_r(args_buf, "\n", &save); t && argc < MAX_ARGS; t = strtok_r(NULL, "\n", &save))
			argv[argc++] = t;
	}
	argv[argc] = NULL;

	int pfd[2];
	int status = -1;
	int64_t t0 = mono_ms();
	if (pipe2(pfd, O_CLOEXEC) == 0) {
		pid_t pid = fork();
		if (pid == 0) {
			dup2(pfd[1], 1);
			execv(argv[0], argv);
			_exit(127);
		}
		close(pfd[1]);
		if (pid > 0) {
			FILE *f = fdopen(pfd[0], "r");
			char *line = NULL;
			size_t cap = 0;
			ssize_t n;
			while (f && (n = getline(&line, &cap, f)) > 0) {
				while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
					line[--n] = 0;
				if (n > 0)
					put_line(line, (size_t)n);
			}
			free(line);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
			}
		}
	}
	{
		char line[256];
		int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
		int n = snprintf(line, sizeof line, "{\"kind\":\"vm\",\"phase\":\"probe-exit\",\"code\":%d,\"signal\":%d,\"elapsedMs\":%lld}",
				 code, sig, (long long)(mono_ms() - t0));
		put_line(line, (size_t)n);
		n = snprintf(line, sizeof line, "{\"kind\":\"vm\",\"phase\":\"done\",\"uptimeMs\":%lld}", (long long)mono_ms());
		put_line(line, (size_t)n);
	}
	if (out_fd != con_fd)
		tcdrain(out_fd);
	console("guest-init: done, powering off");
	power_off();
	return 0;
}
