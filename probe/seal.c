/* The operation under test: fcntl(F_ADD_SEALS, F_SEAL_WRITE) (docs/kernel-model.md OP1). */
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef F_ADD_SEALS
#define F_ADD_SEALS 1033
#define F_SEAL_WRITE 0x0008
#endif

struct seal seal_write(int fd)
{
	struct seal s;
	s.t0 = mono_ns();
	s.rc = fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE);
	s.err = s.rc < 0 ? errno : 0;
	s.t1 = mono_ns();
	return s;
}

const char *seal_result(const struct seal *s)
{
	if (s->rc == 0)
		return "ok";
	if (s->err == EBUSY)
		return "EBUSY";
	if (s->err == EPERM)
		return "EPERM";
	return "error";
}

/* A sealable memfd of `pages` pages (size only; no page is allocated yet). */
int memfd_new(const char *name, long pages)
{
	int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -1;
	if (ftruncate(fd, (off_t)pages * g_page) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}
