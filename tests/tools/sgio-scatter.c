// SPDX-License-Identifier: GPL-2.0-only
/*
 * sgio-scatter: READ(10) or WRITE(10) through SG_IO with the data in
 * many separate buffers (an sg_iovec list), for the discontiguous-buffer
 * tests of the VM suite.
 *
 * Usage: sgio-scatter read|write pages|odd DEV LBA BYTES
 *   write: BYTES from stdin are written at LBA;
 *   read:  BYTES at LBA are written to stdout.
 *   pages: one page per segment, the segments in descending addresses;
 *   odd:   segments of 1 to 7 logical blocks, each starting at a
 *          different 512-byte offset inside its own allocation, so that
 *          no two segments touch.
 * On CHECK CONDITION it prints "SENSE key=0xK asc=0xAA ascq=0xQQ" to
 * stdout and exits 3; other failures exit 1, usage errors 2.
 * SGIO_TIMEOUT_S in the environment sets the command timeout (120 s).
 */
#include <errno.h>
#include <fcntl.h>
#include <scsi/sg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/fs.h>
#include <unistd.h>

#define PAGE		4096u
#define MAX_SEGS	1024u
#define TIMEOUT_S	120u

struct layout {
	struct sg_iovec iov[MAX_SEGS];
	void *alloc[MAX_SEGS];
	size_t alloc_len[MAX_SEGS];
	unsigned int n;
};

static void layout_free(struct layout *l)
{
	unsigned int i;

	for (i = 0; i < l->n; i++)
		munmap(l->alloc[i], l->alloc_len[i]);
	l->n = 0;
}

/*
 * Fault the segments in: first the even ones, then the odd ones, so
 * that neighbouring segments do not get neighbouring physical pages,
 * whichever way the page allocator hands them out, and the SCSI layer
 * cannot merge them into one piece.
 */
static void layout_fault_in(struct layout *l)
{
	unsigned int i, odd;

	for (odd = 0; odd < 2; odd++)
		for (i = odd; i < l->n; i += 2)
			memset(l->iov[i].iov_base, 0, l->iov[i].iov_len);
}

static int iov_cmp_desc(const void *a, const void *b)
{
	const char *pa = ((const struct sg_iovec *)a)->iov_base;
	const char *pb = ((const struct sg_iovec *)b)->iov_base;

	return pa < pb ? 1 : pa > pb ? -1 : 0;
}

/* Segment @i of @total bytes: its length in the odd layout. */
static size_t odd_len(unsigned int i, size_t left, unsigned int bs)
{
	size_t len = (size_t)(i % 7 + 1) * bs;

	return len < left ? len : left;
}

static int layout_build(struct layout *l, int odd, size_t total,
			unsigned int bs)
{
	size_t left = total;
	unsigned int i;

	l->n = 0;
	for (i = 0; left; i++) {
		size_t len = odd ? odd_len(i, left, bs) : (left < PAGE ? left : PAGE);
		size_t off = odd ? (size_t)(i % 8) * 512 : 0;
		void *p;

		if (i == MAX_SEGS) {
			fprintf(stderr, "sgio-scatter: more than %u segments\n",
				MAX_SEGS);
			return -1;
		}
		/* A page of gap after each segment; no huge pages. */
		p = mmap(NULL, off + len + PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			fprintf(stderr, "sgio-scatter: mmap: %s\n",
				strerror(errno));
			return -1;
		}
		madvise(p, off + len + PAGE, MADV_NOHUGEPAGE);
		l->alloc[i] = p;
		l->alloc_len[i] = off + len + PAGE;
		l->iov[i].iov_base = (char *)p + off;
		l->iov[i].iov_len = len;
		l->n = i + 1;
		left -= len;
	}
	/*
	 * Pages from the highest address down, so that the data of
	 * neighbouring segments is never adjacent in memory.
	 */
	if (!odd)
		qsort(l->iov, l->n, sizeof(l->iov[0]), iov_cmp_desc);
	layout_fault_in(l);
	return 0;
}

/* Fill the segments from stdin, or with @out, write them to stdout. */
static int copy_stream(struct layout *l, int out)
{
	int fd = out ? STDOUT_FILENO : STDIN_FILENO;
	unsigned int i;

	for (i = 0; i < l->n; i++) {
		char *p = l->iov[i].iov_base;
		size_t done = 0, len = l->iov[i].iov_len;

		while (done < len) {
			ssize_t r = out ? write(fd, p + done, len - done) :
					  read(fd, p + done, len - done);

			if (r <= 0) {
				fprintf(stderr, "sgio-scatter: %s: %s\n",
					out ? "write" : "short read",
					r ? strerror(errno) : "end of file");
				return -1;
			}
			done += r;
		}
	}
	return 0;
}

static void print_sense(const unsigned char *s, unsigned int len)
{
	unsigned int key, asc = 0, ascq = 0;

	if (len >= 4 && (s[0] & 0x7f) >= 0x72) {	/* descriptor format */
		key = s[1] & 0xf;
		asc = s[2];
		ascq = s[3];
	} else if (len >= 14) {				/* fixed format */
		key = s[2] & 0xf;
		asc = s[12];
		ascq = s[13];
	} else {
		key = len >= 3 ? s[2] & 0xf : 0;
	}
	printf("SENSE key=0x%x asc=0x%02x ascq=0x%02x\n", key, asc, ascq);
}

static unsigned int timeout_ms(void)
{
	const char *v = getenv("SGIO_TIMEOUT_S");
	unsigned long s = v ? strtoul(v, NULL, 10) : 0;

	return (s && s < 3600 ? s : TIMEOUT_S) * 1000;
}

static int do_io(int fd, int wr, struct layout *l, uint32_t lba,
		 size_t total, unsigned int bs)
{
	unsigned char cdb[10] = { wr ? 0x2a : 0x28 }, sense[64] = { 0 };
	uint32_t blocks = total / bs;
	struct sg_io_hdr h;

	cdb[2] = lba >> 24;
	cdb[3] = lba >> 16;
	cdb[4] = lba >> 8;
	cdb[5] = lba;
	cdb[7] = blocks >> 8;
	cdb[8] = blocks;
	memset(&h, 0, sizeof(h));
	h.interface_id = 'S';
	h.dxfer_direction = wr ? SG_DXFER_TO_DEV : SG_DXFER_FROM_DEV;
	h.cmd_len = sizeof(cdb);
	h.cmdp = cdb;
	h.mx_sb_len = sizeof(sense);
	h.sbp = sense;
	h.iovec_count = l->n;
	h.dxferp = l->iov;
	h.dxfer_len = total;
	h.timeout = timeout_ms();
	if (ioctl(fd, SG_IO, &h) < 0) {
		fprintf(stderr, "sgio-scatter: SG_IO: %s\n", strerror(errno));
		return 1;
	}
	if (h.status == 0x02) {			/* CHECK CONDITION */
		print_sense(sense, h.sb_len_wr);
		return 3;
	}
	if (h.status || h.host_status || h.driver_status || h.resid) {
		fprintf(stderr,
			"sgio-scatter: status 0x%x host 0x%x driver 0x%x resid %d\n",
			h.status, h.host_status, h.driver_status, h.resid);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct layout l;
	unsigned long long lba, total;
	int fd, wr, odd, bs, ret;
	char *end;

	if (argc != 6 ||
	    (strcmp(argv[1], "read") && strcmp(argv[1], "write")) ||
	    (strcmp(argv[2], "pages") && strcmp(argv[2], "odd"))) {
		fprintf(stderr,
			"usage: %s read|write pages|odd DEV LBA BYTES\n",
			argv[0]);
		return 2;
	}
	wr = !strcmp(argv[1], "write");
	odd = !strcmp(argv[2], "odd");
	lba = strtoull(argv[4], &end, 0);
	if (*end || lba > UINT32_MAX)
		return 2;
	total = strtoull(argv[5], &end, 0);
	if (*end || !total)
		return 2;
	fd = open(argv[3], O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "sgio-scatter: %s: %s\n", argv[3],
			strerror(errno));
		return 1;
	}
	if (ioctl(fd, BLKSSZGET, &bs) < 0 || bs < 512) {
		fprintf(stderr, "sgio-scatter: %s: no logical block size\n",
			argv[3]);
		return 1;
	}
	if (total % bs || total / bs > 0xffff) {
		fprintf(stderr, "sgio-scatter: %llu bytes is not a whole number of blocks (at most 65535)\n",
			total);
		return 2;
	}
	if (layout_build(&l, odd, total, bs))
		return 1;
	ret = wr ? copy_stream(&l, 0) : 0;
	if (!ret)
		ret = do_io(fd, wr, &l, lba, total, bs);
	if (!ret && !wr)
		ret = copy_stream(&l, 1);
	layout_free(&l);
	close(fd);
	return ret < 0 ? 1 : ret;
}
