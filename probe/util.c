/* Small helpers: clocks, affinity, sysfs files, the stop/budget test. */
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int64_t mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

int pin_self(int cpu)
{
	cpu_set_t s;
	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	return sched_setaffinity(0, sizeof s, &s); /* 0 = the calling thread */
}

bool stopping(void)
{
	if (atomic_load(&g_stop))
		return true;
	if (mono_ns() > g_deadline_ns) {
		int z = 0;
		atomic_compare_exchange_strong(&g_stop, &z, -1);
		return true;
	}
	return false;
}

/* true when need_ns still fits in the budget (a case skips the rest when not) */
bool budget_left(int64_t need_ns)
{
	return !stopping() && mono_ns() + need_ns < g_deadline_ns;
}

void sleep_until(int64_t t)
{
	struct timespec ts = { .tv_sec = t / 1000000000LL, .tv_nsec = t % 1000000000LL };
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

void sleep_ns(int64_t d)
{
	sleep_until(mono_ns() + d);
}

/* A pause that ends early when the run is stopping (signal or budget). */
void nap_ns(int64_t d)
{
	nap_until(mono_ns() + d);
}

void nap_until(int64_t end)
{
	while (!stopping()) {
		int64_t left = end - mono_ns();
		if (left <= 0)
			break;
		sleep_ns(left < 50000000 ? left : 50000000);
	}
}

int read_text(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t r = read(fd, buf, n - 1);
	int e = errno;
	close(fd);
	if (r < 0) {
		errno = e;
		return -1;
	}
	buf[r] = 0;
	while (r > 0 && (buf[r - 1] == '\n' || buf[r - 1] == ' '))
		buf[--r] = 0;
	return (int)r;
}

long read_long(const char *path, long dflt)
{
	char b[64];
	if (read_text(path, b, sizeof b) < 0)
		return dflt;
	char *end;
	long v = strtol(b, &end, 10);
	return end == b ? dflt : v;
}

int write_text(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | O_TRUNC);
	if (fd < 0)
		return -1;
	ssize_t r = write(fd, s, strlen(s));
	int e = errno;
	close(fd);
	errno = e;
	return r < 0 ? -1 : 0;
}

void note(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("drainprobe: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}
