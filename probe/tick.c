/*
 * Where the jiffy ticks fall on CLOCK_MONOTONIC. The wait loop sleeps in whole jiffies
 * (docs/kernel-model.md OP2.2b, C2), so a seal's latency only makes sense relative to the tick grid.
 * The per-CPU tick hrtimer is forwarded by exactly TICK_NSEC, so the grid has a fixed phase;
 * we find it by watching CLOCK_MONOTONIC_COARSE, which the tick's timekeeping update bumps.
 */
#include "probe.h"

#include <stdio.h>

static int64_t coarse_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &t);
	return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int64_t mod(int64_t a, int64_t m)
{
	int64_t r = a % m;
	return r < 0 ? r + m : r;
}

int tick_calibrate(void)
{
	struct timespec res;
	if (clock_getres(CLOCK_MONOTONIC_COARSE, &res) || res.tv_sec || res.tv_nsec <= 0)
		return -1;
	g_tick_ns = res.tv_nsec; /* LOW_RES_NSEC == TICK_NSEC == 1e9/HZ */

	/* Busy-poll for a few coarse-clock steps; each step is seen a little after its tick
	 * (interrupt entry + timekeeping update), so the smallest offset is the best phase. A step
	 * can be missed when the host preempts us (a loaded VM); such samples are dropped. */
	enum { N = 8 };
	int64_t ref = -1, best = INT64_MAX;
	char samples[256];
	size_t sn = 0;
	int got = 0;
	samples[0] = 0;
	for (int i = 0; i < N; i++) {
		int64_t c0 = coarse_ns(), t0 = mono_ns(), limit = t0 + 4 * g_tick_ns + 100000000;
		int64_t t;
		bool seen = true;
		while (coarse_ns() == c0)
			if (mono_ns() > limit) {
				seen = false;
				break;
			}
		t = mono_ns();
		/* a step seen late (we were not running when it happened) says nothing */
		if (!seen || t - t0 > 2 * g_tick_ns)
			continue;
		if (ref < 0)
			ref = mod(t, g_tick_ns);
		/* offset from the first sample, wrapped into [-tick/2, tick/2) */
		int64_t off = mod(t - ref + g_tick_ns / 2, g_tick_ns) - g_tick_ns / 2;
		if (off < best)
			best = off;
		sn += (size_t)snprintf(samples + sn, sizeof samples - sn, "%s%lld", got ? "," : "",
				       (long long)mod(t, g_tick_ns));
		if (sn >= sizeof samples)
			sn = sizeof samples - 1;
		got++;
	}
	if (got < 3)
		return -1;
	g_tick_phase = mod(ref + best, g_tick_ns);

	struct jw w;
	char arr[300];
	snprintf(arr, sizeof arr, "[%s]", samples);
	jw_begin(&w, "clock");
	jw_int(&w, "tickNs", g_tick_ns);
	jw_int(&w, "hzFromTick", (g_tick_ns > 0) ? (1000000000LL + g_tick_ns / 2) / g_tick_ns : 0);
	jw_int(&w, "tickPhaseNs", g_tick_phase);
	jw_raw(&w, "stepSeenAtPhaseNs", arr);
	jw_end(&w);
	return 0;
}

struct tickpos tick_pos(int64_t t0, int64_t t1)
{
	struct tickpos p = { -1, -1, -1 };
	if (g_tick_ns <= 0)
		return p;
	int64_t a = t0 - g_tick_phase, b = t1 - g_tick_phase;
	p.start_since_tick = mod(a, g_tick_ns);
	p.end_since_tick = mod(b, g_tick_ns);
	/* tick boundaries crossed between t0 and t1 */
	p.ticks = (b - p.end_since_tick) / g_tick_ns - (a - p.start_since_tick) / g_tick_ns;
	return p;
}

void jw_tick(struct jw *w, int64_t t0, int64_t t1)
{
	struct tickpos p = tick_pos(t0, t1);
	if (p.ticks < 0)
		return;
	jw_int(w, "startSinceTickNs", p.start_since_tick);
	jw_int(w, "endSinceTickNs", p.end_since_tick);
	jw_int(w, "ticks", p.ticks);
}

/* The first time >= now + min_delay that lies `offset` after a tick. Measurements start at
 * spread offsets so their results cover every position of the start within a jiffy. */
int64_t at_tick_offset(int64_t min_delay, int64_t offset)
{
	int64_t t = mono_ns() + min_delay;
	if (g_tick_ns <= 0)
		return t;
	int64_t base = t - mod(t - g_tick_phase, g_tick_ns);
	int64_t r = base + mod(offset, g_tick_ns);
	return r < t ? r + g_tick_ns : r;
}

/* A deterministic spread over one tick: k-th of 8 positions, 1/16 tick off the edges. */
int64_t spread_offset(int k)
{
	return (int64_t)(((k % 8) * 2 + 1)) * g_tick_ns / 16;
}
