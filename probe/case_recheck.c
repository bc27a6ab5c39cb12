/*
 * Case a: the wait loop's re-check times (docs/kernel-model.md OP2.2, C2).
 * A 4-page memfd is mapped, touched and vmspliced into a pipe: each pipe buffer holds a page
 * ref, so refcount exceeds folio_expected_ref_count() and the tag pass tags the pages
 * (OP3.2). The mapping is removed (so deny_writable succeeds, OP1.4a), the sealer on the seal
 * CPU calls F_ADD_SEALS, and the worker on the remote CPU reads the pipe empty d ms after the
 * seal began, which drops the refs. The seal returns at the first re-check after d, or EBUSY
 * after the last sleep when d is past it.
 */
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#define A_PAGES 4

static const int grid_full[] = { 0, 2, 4, 6, 8, 10, 12, 16, 20, 25, 30, 35, 40, 50, 60, 70,
				 80, 90, 100, 120, 140, 160, 170, 200, 250 };
static const int grid_quick[] = { 0, 20, 60, 120, 200 };

/* Set up one pinned memfd: returns the memfd, fills pipefd; -1 on failure (errno set). */
int pinned_memfd(int pipefd[2], int npages)
{
	size_t len = npages * (size_t)g_page;
	int e;
	int fd = memfd_new("drainprobe-a", npages);
	if (fd < 0)
		return -1;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		goto fail;
	memset(p, 0xa5, len);
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		munmap(p, len);
		goto fail;
	}
	/* no SPLICE_F_GIFT: the pipe buffers take plain refs on the page-cache pages */
	struct iovec iov = { p, len };
	ssize_t n = vmsplice(pipefd[1], &iov, 1, 0);
	e = errno;
	munmap(p, len); /* i_mmap_writable back to 0, so only the pins can fail the seal */
	if (n != (ssize_t)len) {
		close(pipefd[0]);
		close(pipefd[1]);
		errno = n < 0 ? e : EIO;
		goto fail;
	}
	return fd;
fail:
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

static bool one(int d_ms, int rep, int k, int *ebusy_late)
{
	int pfd[2];
	int fd = pinned_memfd(pfd, A_PAGES);
	if (fd < 0) {
		char why[128];
		snprintf(why, sizeof why, "vmsplice pin setup failed: %s", strerror(errno));
		emit_skip("a", why);
		return false;
	}
	/* both sides aim at absolute times so the reader's release is d after the seal call */
	int64_t plan = at_tick_offset(2000000, spread_offset(k));
	remote_drain_pipe_at(pfd[0], A_PAGES * (size_t)g_page, plan + (int64_t)d_ms * 1000000);
	sleep_until(plan);
	struct seal s = seal_write(fd);
	int64_t released = remote_wait_done(2000000000LL);
	bool reader_done = released != 0;
	if (!reader_done) {
		/* the reader is late: closing the write end gives it EOF once the pinned bytes are
		 * read; wait for it before closing anything it reads */
		close(pfd[1]);
		pfd[1] = -1;
		reader_done = remote_wait_done(3000000000LL) != 0;
	}
	int rerr = remote_last_errno();

	struct jw w;
	jw_begin(&w, "recheck");
	jw_str(&w, "case", "a");
	jw_int(&w, "delayMs", d_ms);
	jw_int(&w, "rep", rep);
	jw_int(&w, "pages", A_PAGES);
	jw_int(&w, "latencyNs", s.t1 - s.t0);
	jw_str(&w, "result", seal_result(&s));
	jw_int(&w, "errno", s.err);
	jw_int(&w, "releaseNs", released ? released - s.t0 : -1);
	jw_int(&w, "plannedReleaseNs", plan + (int64_t)d_ms * 1000000 - s.t0);
	jw_tick(&w, s.t0, s.t1);
	if (rerr)
		jw_int(&w, "readerErrno", rerr);
	jw_end(&w);
	if (s.err == EBUSY && d_ms >= 170)
		(*ebusy_late)++;
	if (pfd[1] >= 0)
		close(pfd[1]);
	if (reader_done) {
		close(pfd[0]);
	} else {
		/* the reader still holds pfd[0]: leaving it open (the number cannot be reused by a
		 * later case under the reader's feet) and stopping the case */
		note("case a: the pipe reader did not finish; stopping the case with its pipe open");
	}
	close(fd);
	return released != 0;
}

void case_recheck(void)
{
	const int *grid = g_opt.quick ? grid_quick : grid_full;
	int n = g_opt.quick ? (int)(sizeof grid_quick / sizeof *grid) : (int)(sizeof grid_full / sizeof *grid);
	int reps = g_opt.reps ? g_opt.reps : (g_opt.quick ? 1 : 3);
	int late = 0, late_total = 0;
	for (int r = 0; r < reps; r++)
		for (int i = 0; i < n; i++) {
			/* worst case: the reader's delay or the full wait (~165 ms), plus setup */
			if (!budget_left((grid[i] > 170 ? grid[i] : 170) * 1000000LL + 20000000)) {
				if (!atomic_load(&g_stop) || atomic_load(&g_stop) == -1)
					emit_skip("a", "budget exhausted; remaining delays not measured");
				return;
			}
			if (grid[i] >= 170)
				late_total++;
			if (!one(grid[i], r, r * 3 + i, &late))
				return;
		}
	struct jw w;
	jw_begin(&w, "verify");
	jw_str(&w, "case", "a");
	jw_str(&w, "what", "vmsplice-holds-page-refs");
	jw_bool(&w, "ok", late > 0);
	jw_int(&w, "ebusyPastLastRecheck", late);
	jw_int(&w, "sealsPastLastRecheck", late_total);
	jw_end(&w);
}
