// SPDX-License-Identifier: GPL-2.0-only
/*
 * acked-writes: writes acknowledged while a session goes away must read
 * back afterwards. For the race scenarios of the VM suite.
 *
 * Usage: acked-writes write DEV FIRST COUNT LOG STOPFILE
 *        acked-writes verify DEV FIRST COUNT LOG
 *
 * Blocks are 64 KiB, numbered from the start of DEV; the tool uses blocks
 * FIRST to FIRST + COUNT - 1. What block i holds depends on i only, so
 * writing it again, or a failed write that reached the disk all the
 * same, never changes what it must read back.
 *
 * write: goes round the blocks with O_DIRECT writes until STOPFILE
 * exists (or it is killed), appending the number of every block whose
 * write returned success to LOG. After a failed write (the session or
 * the disk going away) it waits 50 ms and goes on with the next block,
 * opening DEV again if it must. At the end it prints
 * "WRITES ok=N failed=M".
 *
 * verify: reads every block named in LOG with O_DIRECT and compares it;
 * prints "BAD block=I" for each that differs and
 * "ACKED blocks=N bad=M". Exits 1 when a block differs or cannot be
 * read, 2 on usage errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define BLOCK	(64u * 1024u)

/* The content of block i: its number, then a xorshift64 stream seeded by it. */
static void fill(uint64_t *buf, uint64_t i)
{
	uint64_t x = (i + 1) * 0x9e3779b97f4a7c15ull;
	size_t k;

	buf[0] = i;
	for (k = 1; k < BLOCK / sizeof(*buf); k++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[k] = x;
	}
}

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int do_write(const char *dev, uint64_t first, uint64_t count,
		    const char *log, const char *stop)
{
	unsigned long ok = 0, failed = 0;
	uint64_t *buf;
	uint64_t n = 0;
	FILE *lf;
	int fd = -1;

	buf = mmap(NULL, BLOCK, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	lf = fopen(log, "a");
	if (buf == MAP_FAILED || !lf) {
		perror("acked-writes");
		return 1;
	}
	while (access(stop, F_OK) != 0) {
		uint64_t i = first + n % count;

		n++;
		if (fd < 0)
			fd = open(dev, O_WRONLY | O_DIRECT);
		if (fd < 0) {
			failed++;
			nap_ms(50);
			continue;
		}
		fill(buf, i);
		if (pwrite(fd, buf, BLOCK, (off_t)(i * BLOCK)) == (ssize_t)BLOCK) {
			ok++;
			fprintf(lf, "%llu\n", (unsigned long long)i);
			fflush(lf);
			continue;
		}
		failed++;
		close(fd);
		fd = -1;
		nap_ms(50);
	}
	if (fd >= 0)
		close(fd);
	fclose(lf);
	printf("WRITES ok=%lu failed=%lu\n", ok, failed);
	return 0;
}

static int do_verify(const char *dev, uint64_t first, uint64_t count,
		     const char *log)
{
	unsigned long acked = 0, bad = 0;
	unsigned long long v;
	uint64_t *buf, *want;
	unsigned char *seen;
	FILE *lf;
	int fd;

	buf = mmap(NULL, 2 * BLOCK, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	seen = calloc(count, 1);
	lf = fopen(log, "r");
	fd = open(dev, O_RDONLY | O_DIRECT);
	if (buf == MAP_FAILED || !seen || !lf || fd < 0) {
		perror("acked-writes");
		return 1;
	}
	want = buf + BLOCK / sizeof(*buf);
	while (fscanf(lf, "%llu", &v) == 1) {
		if (v < first || v >= first + count) {
			printf("BAD block=%llu outside the range\n", v);
			bad++;
			continue;
		}
		if (seen[v - first])
			continue;
		seen[v - first] = 1;
		acked++;
		fill(want, v);
		if (pread(fd, buf, BLOCK, (off_t)(v * BLOCK)) != (ssize_t)BLOCK) {
			printf("BAD block=%llu read: %s\n", v, strerror(errno));
			bad++;
		} else if (memcmp(buf, want, BLOCK)) {
			printf("BAD block=%llu content differs\n", v);
			bad++;
		}
	}
	printf("ACKED blocks=%lu bad=%lu\n", acked, bad);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	uint64_t first, count;

	if (argc < 6)
		goto usage;
	first = strtoull(argv[3], NULL, 0);
	count = strtoull(argv[4], NULL, 0);
	if (!count)
		goto usage;
	if (!strcmp(argv[1], "write") && argc == 7)
		return do_write(argv[2], first, count, argv[5], argv[6]);
	if (!strcmp(argv[1], "verify") && argc == 6)
		return do_verify(argv[2], first, count, argv[5]);
usage:
	fprintf(stderr, "usage: acked-writes write DEV FIRST COUNT LOG STOPFILE\n"
		"       acked-writes verify DEV FIRST COUNT LOG\n");
	return 2;
}
