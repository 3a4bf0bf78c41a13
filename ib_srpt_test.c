// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of ib_srpt: SRP logins and the multichannel decision,
 * connection requests (port, P_Key, private data),
 * SRP_CMD parsing and task attributes, which IUs a channel takes and
 * its send-queue budget, SRP_RSP building, task management
 * codes, node ACL and target port names, ACL matching and initiator
 * address names, numeric configfs attributes, and device management MADs.
 *
 * Requests are built byte by byte at the offsets that the SCSI RDMA
 * Protocol (SRP r16a), include/scsi/srp.h (RDMA/CM login layout) and the
 * InfiniBand Architecture (MAD header, chapter 13.4; device management,
 * chapter 16.3) give. The expected answers are typed in from the same
 * documents; nothing is computed by the code under test. Parsers of
 * wire data get it at the very end of a vmalloc area (kt_tail()), so
 * that reading one byte too many faults and fails the case.
 */
#include <kunit/test.h>
#include <linux/bits.h>
#include <linux/dma-direction.h>
#include <linux/etherdevice.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/unaligned.h>
#include <linux/vmalloc.h>

#include "ib_srpt.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/* ---------------------------------------------------------------------
 * Common values
 */

/* The target's service GUID, and the same GUID as it travels (BE). */
#define KT_GUID		0x0002c90300a0b1c1ULL
static const u8 kt_guid_be[8] = {
	0x00, 0x02, 0xc9, 0x03, 0x00, 0xa0, 0xb1, 0xc1,
};

/* Largest initiator-to-target IU the target accepts in these tests. */
#define KT_MAX_REQ	8276U

/* 16 MiB, the largest data transfer of one command. */
#define KT_16M		0x01000000U

/* An opaque tag: every answer must echo these eight bytes unchanged. */
static const u8 kt_tag[8] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 };

/* Initiator port ID: identifier extension, then the initiator's GUID. */
static const u8 kt_iport[16] = {
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x00, 0x02, 0xc9, 0x03, 0x00, 0x11, 0x22, 0x33,
};

/* Bytes past the end of an answer that must stay untouched. */
#define KT_GUARD	16

static u64 kt_tag64(void)
{
	u64 tag;

	memcpy(&tag, kt_tag, sizeof(tag));
	return tag;
}

/* A buffer of @len bytes plus a guard, all filled with 0xa5. */
static u8 *kt_guarded(struct kunit *test, size_t len)
{
	u8 *b = kunit_kmalloc(test, len + KT_GUARD, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, b);
	memset(b, 0xa5, len + KT_GUARD);
	return b;
}

static void kt_expect_guard(struct kunit *test, const u8 *b, size_t len)
{
	KUNIT_EXPECT_NULL_MSG(test, memchr_inv(b + len, 0xa5, KT_GUARD),
			      "written past byte %zu", len);
}

static void kt_expect_zero(struct kunit *test, const u8 *b, size_t off,
			   size_t len)
{
	KUNIT_EXPECT_TRUE_MSG(test, mem_is_zero(b + off, len),
			      "bytes %zu..%zu not zero", off, off + len - 1);
}

KUNIT_DEFINE_ACTION_WRAPPER(kt_vfree, vfree, const void *);

/*
 * A copy of the @len bytes at @src that ends where a vmalloc area ends.
 * The area's guard page follows, so that reading byte @len faults.
 */
static u8 *kt_tail(struct kunit *test, const void *src, u32 len)
{
	size_t size = round_up(len + 1, PAGE_SIZE);
	u8 *area = vmalloc(size);

	KUNIT_ASSERT_NOT_NULL(test, area);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kt_vfree, area),
			0);
	memcpy(area + size - len, src, len);
	return area + size - len;
}

/* ---------------------------------------------------------------------
 * SRP_LOGIN_REQ, SRP_LOGIN_RSP, SRP_LOGIN_REJ
 */

/* What a test login asks for. */
struct kt_login {
	u32 iu_len;
	u16 buf_fmt;
	u8 flags;
	u16 imm_off;
	const u8 *tport;	/* 16 bytes; NULL: the service GUID twice */
};

/* Target port ID: identifier extension and IOC GUID, both the GUID. */
static void kt_put_tport(u8 *dst, const u8 *tport)
{
	if (tport) {
		memcpy(dst, tport, 16);
		return;
	}
	memcpy(dst, kt_guid_be, 8);
	memcpy(dst + 8, kt_guid_be, 8);
}

/* SRP_LOGIN_REQ as IB/CM carries it (SRP r16a 6.2): 64 bytes. */
static void kt_ib_login(u8 *b, const struct kt_login *l)
{
	memset(b, 0, 64);
	b[0] = 0x00;				/* SRP_LOGIN_REQ */
	memcpy(b + 8, kt_tag, 8);
	put_unaligned_be32(l->iu_len, b + 16);
	put_unaligned_be16(l->buf_fmt, b + 24);
	b[26] = l->flags;
	put_unaligned_be16(l->imm_off, b + 28);
	memcpy(b + 32, kt_iport, 16);
	kt_put_tport(b + 48, l->tport);
}

/* SRP_LOGIN_REQ in the Linux RDMA/CM layout: 56 bytes. */
static void kt_rdma_login(u8 *b, const struct kt_login *l)
{
	memset(b, 0, 56);
	memcpy(b, kt_tag, 8);
	put_unaligned_be16(l->buf_fmt, b + 8);
	b[10] = l->flags;
	b[11] = 0x00;				/* SRP_LOGIN_REQ */
	put_unaligned_be32(l->iu_len, b + 12);
	memcpy(b + 16, kt_iport, 16);
	kt_put_tport(b + 32, l->tport);
	put_unaligned_be16(l->imm_off, b + 48);
}

/* What a normalised login must hold for @l. */
static void kt_expect_login(struct kunit *test, const struct srpt_login *li,
			    const struct kt_login *l)
{
	u8 tport[16];

	kt_put_tport(tport, l->tport);
	KUNIT_EXPECT_MEMEQ(test, &li->tag, kt_tag, 8);
	KUNIT_EXPECT_EQ(test, li->req_it_iu_len, l->iu_len);
	KUNIT_EXPECT_EQ(test, li->req_buf_fmt, l->buf_fmt);
	KUNIT_EXPECT_EQ(test, li->req_flags, l->flags);
	KUNIT_EXPECT_EQ(test, li->imm_data_offset, l->imm_off);
	KUNIT_EXPECT_MEMEQ(test, li->i_port_id, kt_iport, 16);
	KUNIT_EXPECT_MEMEQ(test, li->t_port_id, tport, 16);
}

/* A target port ID whose bytes all differ from the other fields. */
static const u8 kt_odd_tport[16] = {
	0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
	0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
};

/* Field values whose bytes all differ, to catch swapped bytes. */
static const struct kt_login kt_odd_login = {
	.iu_len = 0x01a2b3c4, .buf_fmt = 0x0306, .flags = 0x81,
	.imm_off = 0x0134, .tport = kt_odd_tport,
};

static void login_from_ib_fields(struct kunit *test)
{
	struct srpt_login li;
	u8 req[64];

	kt_ib_login(req, &kt_odd_login);
	memset(&li, 0xa5, sizeof(li));
	srpt_login_from_ib(&li, (const void *)req);
	kt_expect_login(test, &li, &kt_odd_login);
}

static void login_from_ib_ignores_reserved(struct kunit *test)
{
	static const u8 reserved[] = { 1, 2, 3, 4, 5, 6, 7, 20, 21, 22, 23,
				       27, 30, 31 };
	struct srpt_login li;
	u8 req[64];
	int i;

	kt_ib_login(req, &kt_odd_login);
	for (i = 0; i < ARRAY_SIZE(reserved); i++)
		req[reserved[i]] = 0xff;
	srpt_login_from_ib(&li, (const void *)req);
	kt_expect_login(test, &li, &kt_odd_login);
}

static void login_from_rdma_fields(struct kunit *test)
{
	struct srpt_login li;
	u8 req[56];

	kt_rdma_login(req, &kt_odd_login);
	memset(&li, 0xa5, sizeof(li));
	srpt_login_from_rdma(&li, (const void *)req);
	kt_expect_login(test, &li, &kt_odd_login);
}

static void login_from_rdma_ignores_reserved(struct kunit *test)
{
	struct srpt_login li;
	u8 req[56];

	kt_rdma_login(req, &kt_odd_login);
	memset(req + 50, 0xff, 6);
	srpt_login_from_rdma(&li, (const void *)req);
	kt_expect_login(test, &li, &kt_odd_login);
}

/*
 * CM private data of @len bytes, ending at a guard page: @l in the IB/CM
 * (64 bytes) or RDMA/CM (56 bytes) layout, cut to @len or followed by
 * 0xee bytes.
 */
static u8 *kt_pdata(struct kunit *test, const struct kt_login *l,
		    bool rdma_cm, u32 len)
{
	u8 b[128];

	KUNIT_ASSERT_LE(test, len, sizeof(b));
	memset(b, 0xee, sizeof(b));
	if (rdma_cm)
		kt_rdma_login(b, l);
	else
		kt_ib_login(b, l);
	return kt_tail(test, b, len);
}

static void kt_pdata_ok(struct kunit *test, const struct kt_login *l,
			bool rdma_cm, u32 len)
{
	struct srpt_login li;

	memset(&li, 0xa5, sizeof(li));
	KUNIT_ASSERT_EQ_MSG(test,
			    srpt_login_from_pdata(&li,
						  kt_pdata(test, l, rdma_cm,
							   len),
						  len, rdma_cm),
			    0, "%u bytes", len);
	kt_expect_login(test, &li, l);
}

/* Refused with -EINVAL, and the login is left as it was. */
static void kt_pdata_bad(struct kunit *test, const void *pdata, u32 len,
			 bool rdma_cm)
{
	struct srpt_login li;

	memset(&li, 0xa5, sizeof(li));
	KUNIT_EXPECT_EQ_MSG(test, srpt_login_from_pdata(&li, pdata, len,
							rdma_cm),
			    -EINVAL, "%s, %u bytes",
			    rdma_cm ? "RDMA/CM" : "IB/CM", len);
	KUNIT_EXPECT_NULL(test, memchr_inv(&li, 0xa5, sizeof(li)));
}

static void login_pdata_ib(struct kunit *test)
{
	/* Byte 11 (in the tag) is not zero: the opcode is byte 0. */
	kt_pdata_ok(test, &kt_odd_login, false, 64);
}

static void login_pdata_rdma(struct kunit *test)
{
	/* Byte 0 (in the tag) is not zero: the opcode is byte 11. */
	kt_pdata_ok(test, &kt_odd_login, true, 56);
}

static void login_pdata_ib_cm_size(struct kunit *test)
{
	/* An IB/CM REQ carries 92 bytes of private data (IBA 12.6.5). */
	kt_pdata_ok(test, &kt_odd_login, false, 92);
}

static void login_pdata_rdma_longer(struct kunit *test)
{
	kt_pdata_ok(test, &kt_odd_login, true, 57);
	kt_pdata_ok(test, &kt_odd_login, true, 128);
}

static void login_pdata_null(struct kunit *test)
{
	kt_pdata_bad(test, NULL, 64, false);
	kt_pdata_bad(test, NULL, 92, false);
	kt_pdata_bad(test, NULL, 0, false);
	kt_pdata_bad(test, NULL, 56, true);
	kt_pdata_bad(test, NULL, 0, true);
}

/* Private data cut to each length of @lens is refused. */
static void kt_pdata_short(struct kunit *test, bool rdma_cm, const u32 *lens,
			   size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		kt_pdata_bad(test, kt_pdata(test, &kt_odd_login, rdma_cm,
					    lens[i]),
			     lens[i], rdma_cm);
}

static void login_pdata_ib_short(struct kunit *test)
{
	/* 56: an RDMA/CM-sized login is not enough for IB/CM. */
	static const u32 lens[] = { 0, 1, 56, 63 };

	kt_pdata_short(test, false, lens, ARRAY_SIZE(lens));
}

static void login_pdata_rdma_short(struct kunit *test)
{
	/* 11: the opcode itself is missing; 12: it is there. */
	static const u32 lens[] = { 0, 11, 12, 55 };

	kt_pdata_short(test, true, lens, ARRAY_SIZE(lens));
}

/* SRP IU types other than SRP_LOGIN_REQ (0x00), SRP r16a table 4. */
static const u8 kt_not_login[] = {
	0x01, 0x02, 0x03, 0x40, 0x41, 0x42, 0x80, 0x81, 0x82, 0xc0, 0xc1,
	0xc2, 0xff,
};

/* A login whose opcode, at byte @at, is each of kt_not_login. */
static void kt_pdata_opcodes(struct kunit *test, bool rdma_cm, u32 len,
			     u32 at)
{
	const struct kt_login l = { .iu_len = 1024, .buf_fmt = 0x0006 };
	int i;

	for (i = 0; i < ARRAY_SIZE(kt_not_login); i++) {
		u8 *pd = kt_pdata(test, &l, rdma_cm, len);

		pd[at] = kt_not_login[i];
		kt_pdata_bad(test, pd, len, rdma_cm);
	}
}

static void login_pdata_ib_opcode(struct kunit *test)
{
	kt_pdata_opcodes(test, false, 64, 0);
}

static void login_pdata_rdma_opcode(struct kunit *test)
{
	kt_pdata_opcodes(test, true, 56, 11);
}

static void login_pdata_wrong_layout(struct kunit *test)
{
	/* IB/CM bytes read as RDMA/CM: byte 11 is tag byte 3 (0x44). */
	kt_pdata_bad(test, kt_pdata(test, &kt_odd_login, false, 64), 64, true);
	/* RDMA/CM bytes (and more) read as IB/CM: byte 0 is tag byte 0. */
	kt_pdata_bad(test, kt_pdata(test, &kt_odd_login, true, 64), 64,
		     false);
}

static void kt_login_fill(struct srpt_login *li, const struct kt_login *l)
{
	memset(li, 0, sizeof(*li));
	memcpy(&li->tag, kt_tag, 8);
	li->req_it_iu_len = l->iu_len;
	li->req_buf_fmt = l->buf_fmt;
	li->req_flags = l->flags;
	li->imm_data_offset = l->imm_off;
	memcpy(li->i_port_id, kt_iport, 16);
	kt_put_tport(li->t_port_id, l->tport);
}

/* Run srpt_check_login() on @l; @p starts out with every field set. */
static u32 kt_check(const struct kt_login *l, struct srpt_login_params *p)
{
	struct srpt_login li;

	kt_login_fill(&li, l);
	p->it_iu_len = 1;
	p->use_imm_data = true;
	p->imm_data_offset = 0xffff;
	p->multichan_single = true;
	return srpt_check_login(&li, KT_MAX_REQ, KT_GUID, p);
}

static void kt_accept(struct kunit *test, const struct kt_login *l,
		      struct srpt_login_params *p)
{
	KUNIT_ASSERT_EQ(test, kt_check(l, p), 0U);
	KUNIT_EXPECT_EQ(test, p->it_iu_len, l->iu_len);
}

/* Accepted; immediate data granted at @imm_off, or refused if 0. */
static void kt_accept_imm(struct kunit *test, const struct kt_login *l,
			  u16 imm_off)
{
	struct srpt_login_params p;

	kt_accept(test, l, &p);
	KUNIT_EXPECT_EQ(test, p.use_imm_data, imm_off != 0);
	if (imm_off)
		KUNIT_EXPECT_EQ(test, p.imm_data_offset, imm_off);
}

struct kt_reject {
	const char *what;
	struct kt_login l;
	u32 reason;
};

static void kt_expect_rejects(struct kunit *test, const struct kt_reject *r,
			      size_t n)
{
	struct srpt_login_params p;
	size_t i;

	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ_MSG(test, kt_check(&r[i].l, &p), r[i].reason,
				    "%s", r[i].what);
}

/* SRP_LOGIN_REJ reasons (SRP r16a table 12). */
#define KT_REJ_NO_CHANNEL	0x00010000U	/* unable to establish */
#define KT_REJ_IU_TOO_LARGE	0x00010002U
#define KT_REJ_NO_ASSOCIATE	0x00010003U	/* unable to associate */
#define KT_REJ_BAD_FORMAT	0x00010004U
#define KT_REJ_CHANNEL_LIMIT	0x00010006U

static void login_accepts_valid(struct kunit *test)
{
	const struct kt_login l = { .iu_len = 1024, .buf_fmt = 0x0006,
				    .flags = 0x01 };
	struct srpt_login_params p;

	kt_accept(test, &l, &p);
	KUNIT_EXPECT_FALSE(test, p.use_imm_data);
	KUNIT_EXPECT_FALSE(test, p.multichan_single);
}

static void login_rejects_short_iu(struct kunit *test)
{
	static const struct kt_reject r[] = {
		{ "0", { 0, 0x0006 }, KT_REJ_NO_CHANNEL },
		{ "1", { 1, 0x0006 }, KT_REJ_NO_CHANNEL },
		{ "48", { 48, 0x0006 }, KT_REJ_NO_CHANNEL },
		{ "63", { 63, 0x0006 }, KT_REJ_NO_CHANNEL },
	};

	kt_expect_rejects(test, r, ARRAY_SIZE(r));
}

static void login_accepts_min_iu(struct kunit *test)
{
	const struct kt_login l = { .iu_len = 64, .buf_fmt = 0x0006 };
	struct srpt_login_params p;

	kt_accept(test, &l, &p);
}

static void login_accepts_max_iu(struct kunit *test)
{
	const struct kt_login l = { .iu_len = KT_MAX_REQ, .buf_fmt = 0x0006 };
	struct srpt_login_params p;

	kt_accept(test, &l, &p);
}

static void login_rejects_long_iu(struct kunit *test)
{
	static const struct kt_reject r[] = {
		{ "max + 1", { KT_MAX_REQ + 1, 0x0006 }, KT_REJ_IU_TOO_LARGE },
		{ "64 KiB", { 0x10000, 0x0006 }, KT_REJ_IU_TOO_LARGE },
		{ "2^31", { 0x80000000, 0x0006 }, KT_REJ_IU_TOO_LARGE },
		{ "2^32 - 1", { 0xffffffff, 0x0006 }, KT_REJ_IU_TOO_LARGE },
	};

	kt_expect_rejects(test, r, ARRAY_SIZE(r));
}

static void login_rejects_no_buf_fmt(struct kunit *test)
{
	/* Bit 1: direct descriptors, bit 2: indirect; the rest reserved. */
	static const struct kt_reject r[] = {
		{ "none", { 1024, 0x0000 }, KT_REJ_BAD_FORMAT },
		{ "bit 0", { 1024, 0x0001 }, KT_REJ_BAD_FORMAT },
		{ "bit 3", { 1024, 0x0008 }, KT_REJ_BAD_FORMAT },
		{ "reserved", { 1024, 0xfff9 }, KT_REJ_BAD_FORMAT },
	};

	kt_expect_rejects(test, r, ARRAY_SIZE(r));
}

static void login_accepts_one_buf_fmt(struct kunit *test)
{
	static const u16 fmts[] = { 0x0002, 0x0004, 0xffff, 0x0003 };
	struct srpt_login_params p;
	struct kt_login l = { .iu_len = 1024 };
	int i;

	for (i = 0; i < ARRAY_SIZE(fmts); i++) {
		l.buf_fmt = fmts[i];
		KUNIT_EXPECT_EQ_MSG(test, kt_check(&l, &p), 0U,
				    "buf_fmt %#x", fmts[i]);
	}
}

/* The service GUID in the wrong halves or the wrong byte order. */
static const u8 kt_tport_ext[16] = {
	0x00, 0x02, 0xc9, 0x03, 0x00, 0xa0, 0xb1, 0xc0,
	0x00, 0x02, 0xc9, 0x03, 0x00, 0xa0, 0xb1, 0xc1,
};

static const u8 kt_tport_guid[16] = {
	0x00, 0x02, 0xc9, 0x03, 0x00, 0xa0, 0xb1, 0xc1,
	0x00, 0x02, 0xc9, 0x03, 0x00, 0xa0, 0xb1, 0xc2,
};

static const u8 kt_tport_le[16] = {
	0xc1, 0xb1, 0xa0, 0x00, 0x03, 0xc9, 0x02, 0x00,
	0xc1, 0xb1, 0xa0, 0x00, 0x03, 0xc9, 0x02, 0x00,
};

static const u8 kt_tport_zero[16];

static void login_rejects_other_target(struct kunit *test)
{
	static const struct kt_reject r[] = {
		{ "extension", { 1024, 0x0006, .tport = kt_tport_ext },
		  KT_REJ_NO_ASSOCIATE },
		{ "GUID", { 1024, 0x0006, .tport = kt_tport_guid },
		  KT_REJ_NO_ASSOCIATE },
		{ "little endian", { 1024, 0x0006, .tport = kt_tport_le },
		  KT_REJ_NO_ASSOCIATE },
		{ "zero", { 1024, 0x0006, .tport = kt_tport_zero },
		  KT_REJ_NO_ASSOCIATE },
		{ "initiator's", { 1024, 0x0006, .tport = kt_iport },
		  KT_REJ_NO_ASSOCIATE },
	};

	kt_expect_rejects(test, r, ARRAY_SIZE(r));
}

static void login_uses_max_req_size(struct kunit *test)
{
	const struct kt_login l = { .iu_len = 1000, .buf_fmt = 0x0006 };
	struct srpt_login_params p;
	struct srpt_login li;

	kt_login_fill(&li, &l);
	KUNIT_EXPECT_EQ(test, srpt_check_login(&li, 996, KT_GUID, &p),
			KT_REJ_IU_TOO_LARGE);
	KUNIT_EXPECT_EQ(test, srpt_check_login(&li, 1000, KT_GUID, &p), 0U);
}

static void login_uses_service_guid(struct kunit *test)
{
	/* kt_tport_le read as a big-endian GUID, twice. */
	const struct kt_login l = { .iu_len = 1000, .buf_fmt = 0x0006,
				    .tport = kt_tport_le };
	struct srpt_login_params p;
	struct srpt_login li;

	kt_login_fill(&li, &l);
	KUNIT_EXPECT_EQ(test, srpt_check_login(&li, KT_MAX_REQ,
					       0xc1b1a00003c90200ULL, &p), 0U);
	KUNIT_EXPECT_EQ(test, srpt_check_login(&li, KT_MAX_REQ, KT_GUID, &p),
			KT_REJ_NO_ASSOCIATE);
}

static void login_multichan_action(struct kunit *test)
{
	/*
	 * MULTI-CHANNEL ACTION, bits 1..0: 0 single, 1 multi; the reserved
	 * codes 2 and 3 are refused like any reserved value.
	 */
	static const struct {
		u8 flags;
		u32 reason;
		bool single;
	} t[] = {
		{ 0x00, 0, true }, { 0x01, 0, false },
		{ 0x02, KT_REJ_NO_CHANNEL, false }, { 0x03, KT_REJ_NO_CHANNEL, false },
		{ 0x7d, 0, false }, { 0x7c, 0, true },
		{ 0x82, KT_REJ_NO_CHANNEL, false },
	};
	struct srpt_login_params p;
	struct kt_login l = { .iu_len = 1024, .buf_fmt = 0x0006 };
	int i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		l.flags = t[i].flags;
		KUNIT_ASSERT_EQ_MSG(test, kt_check(&l, &p), t[i].reason,
				    "flags %#x", t[i].flags);
		if (!t[i].reason)
			KUNIT_EXPECT_EQ_MSG(test, p.multichan_single,
					    t[i].single, "flags %#x",
					    t[i].flags);
	}
}

static void login_imm_lowest_offset(struct kunit *test)
{
	/* SRP_CMD (48) plus the 4-byte immediate data header. */
	const struct kt_login l = { .iu_len = 1024, .buf_fmt = 0x0006,
				    .flags = 0x80, .imm_off = 52 };

	kt_accept_imm(test, &l, 52);
}

static void login_imm_offset_at_iu_len(struct kunit *test)
{
	const struct kt_login l = { .iu_len = 1024, .buf_fmt = 0x0006,
				    .flags = 0x80, .imm_off = 1024 };

	kt_accept_imm(test, &l, 1024);
}

static void login_imm_offset_too_low(struct kunit *test)
{
	static const u16 offs[] = { 0, 36, 48, 51 };
	struct kt_login l = { .iu_len = 1024, .buf_fmt = 0x0006,
			      .flags = 0x80 };
	int i;

	for (i = 0; i < ARRAY_SIZE(offs); i++) {
		l.imm_off = offs[i];
		kt_accept_imm(test, &l, 0);
	}
}

static void login_imm_offset_beyond_iu(struct kunit *test)
{
	const struct kt_login l = { .iu_len = 1024, .buf_fmt = 0x0006,
				    .flags = 0x80, .imm_off = 1025 };

	kt_accept_imm(test, &l, 0);
}

static void login_imm_not_requested(struct kunit *test)
{
	const struct kt_login l = { .iu_len = 1024, .buf_fmt = 0x0006,
				    .flags = 0x01, .imm_off = 68 };

	kt_accept_imm(test, &l, 0);
}

static void login_imm_and_multichan(struct kunit *test)
{
	const struct kt_login l = { .iu_len = 4096, .buf_fmt = 0x0004,
				    .flags = 0x81, .imm_off = 68 };
	struct srpt_login_params p;

	kt_accept(test, &l, &p);
	KUNIT_EXPECT_TRUE(test, p.use_imm_data);
	KUNIT_EXPECT_EQ(test, p.imm_data_offset, 68);
	KUNIT_EXPECT_FALSE(test, p.multichan_single);
}

/* SRP_LOGIN_RSP (SRP r16a 6.3), 52 bytes. */
static void kt_expect_login_rsp(struct kunit *test, const u8 *rsp, u32 lim,
				u32 it_len, u32 ti_len, u8 flags)
{
	u8 exp[52] = {};

	exp[0] = 0xc0;				/* SRP_LOGIN_RSP */
	put_unaligned_be32(lim, exp + 4);
	memcpy(exp + 8, kt_tag, 8);
	put_unaligned_be32(it_len, exp + 16);
	put_unaligned_be32(ti_len, exp + 20);
	put_unaligned_be16(0x0006, exp + 24);	/* direct and indirect */
	exp[26] = flags;
	KUNIT_EXPECT_MEMEQ(test, rsp, exp, sizeof(exp));
	kt_expect_guard(test, rsp, sizeof(exp));
}

/* A login response: what was negotiated, and byte 26 it must carry. */
struct kt_login_rsp {
	const char *what;
	u32 it_len;
	bool imm;
	u32 lim, ti_len;
	u8 multichan, flags;
};

static const struct kt_login_rsp kt_login_rsps[] = {
	{ "plain", 8276, false, 128, 256, 0x00, 0x00 },
	{ "immediate data", 8276, true, 128, 256, 0x00, 0x80 },
	{ "others terminated", 1024, false, 16, 512, 0x01, 0x01 },
	{ "others maintained, immediate data", 4096, true, 64, 1024, 0x02,
	  0x82 },
	{ "byte order", 0x0a0b0c0d, false, 0x01020304, 0x11121314, 0x00,
	  0x00 },
};

static void kt_login_rsp_desc(const struct kt_login_rsp *t, char *desc)
{
	strscpy(desc, t->what, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(kt_login_rsp, kt_login_rsps, kt_login_rsp_desc);

static void login_rsp(struct kunit *test)
{
	const struct kt_login_rsp *t = test->param_value;
	const struct srpt_login_params p = {
		.it_iu_len = t->it_len, .use_imm_data = t->imm,
		.imm_data_offset = t->imm ? 68 : 0,
	};
	u8 *rsp = kt_guarded(test, 52);

	srpt_build_login_rsp((void *)rsp, kt_tag64(), &p, t->lim, t->ti_len,
			     t->multichan);
	kt_expect_login_rsp(test, rsp, t->lim, t->it_len, t->ti_len, t->flags);
}

/* SRP_LOGIN_REJ (SRP r16a 6.4), 32 bytes. */
static void kt_expect_login_rej(struct kunit *test, const u8 *rej, u32 reason)
{
	u8 exp[32] = {};

	exp[0] = 0xc2;				/* SRP_LOGIN_REJ */
	put_unaligned_be32(reason, exp + 4);
	memcpy(exp + 8, kt_tag, 8);
	put_unaligned_be16(0x0006, exp + 24);	/* direct and indirect */
	KUNIT_EXPECT_MEMEQ(test, rej, exp, sizeof(exp));
	kt_expect_guard(test, rej, sizeof(exp));
}

static void login_rej_every_reason(struct kunit *test)
{
	u32 reason;

	for (reason = 0x00010000; reason <= 0x00010006; reason++) {
		u8 *rej = kt_guarded(test, 32);

		srpt_build_login_rej((void *)rej, kt_tag64(), reason);
		kt_expect_login_rej(test, rej, reason);
	}
}

static void login_ib_end_to_end(struct kunit *test)
{
	const struct kt_login l = { .iu_len = 4096, .buf_fmt = 0x0006,
				    .flags = 0x80, .imm_off = 68 };
	struct srpt_login_params p;
	struct srpt_login li;
	u8 req[64], *rsp;

	kt_ib_login(req, &l);
	KUNIT_ASSERT_EQ(test, srpt_login_from_pdata(&li, req, 64, false), 0);
	KUNIT_ASSERT_EQ(test, srpt_check_login(&li, KT_MAX_REQ, KT_GUID, &p),
			0U);
	rsp = kt_guarded(test, 52);
	srpt_build_login_rsp((void *)rsp, li.tag, &p, 64, 1024, 0x00);
	/* Single channel requested, none existed: MULTICHAN 0, IMMED. */
	kt_expect_login_rsp(test, rsp, 64, 4096, 1024, 0x80);
}

static void login_rdma_end_to_end(struct kunit *test)
{
	const struct kt_login l = { .iu_len = 4096, .buf_fmt = 0x0006,
				    .flags = 0x01, .tport = kt_tport_guid };
	struct srpt_login_params p;
	struct srpt_login li;
	u8 req[56], *rej;
	u32 reason;

	kt_rdma_login(req, &l);
	KUNIT_ASSERT_EQ(test, srpt_login_from_pdata(&li, req, 56, true), 0);
	reason = srpt_check_login(&li, KT_MAX_REQ, KT_GUID, &p);
	KUNIT_ASSERT_EQ(test, reason, KT_REJ_NO_ASSOCIATE);
	rej = kt_guarded(test, 32);
	srpt_build_login_rej((void *)rej, li.tag, reason);
	kt_expect_login_rej(test, rej, KT_REJ_NO_ASSOCIATE);
}

/* SRP_LOGIN_RSP MULTI-CHANNEL RESULT (SRP r16a 6.3). */
#define KT_MC_NONE		0x00
#define KT_MC_TERMINATED	0x01
#define KT_MC_MAINTAINED	0x02

/* Channels of the I_T nexus still live, and what the login gets. */
struct kt_mc {
	u32 live;
	u32 reason;
	u8 result;
};

static void kt_multichan(struct kunit *test, bool single,
			 const struct kt_mc *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		u8 mc = 0xa5;

		KUNIT_EXPECT_EQ_MSG(test,
				    srpt_multichan_decide(t[i].live, single,
							  &mc),
				    t[i].reason, "%u live, %s", t[i].live,
				    single ? "single" : "multi");
		if (!t[i].reason)
			KUNIT_EXPECT_EQ_MSG(test, mc, t[i].result,
					    "%u live, %s", t[i].live,
					    single ? "single" : "multi");
	}
}

static void multichan_first_channel(struct kunit *test)
{
	static const struct kt_mc t[] = { { 0, 0, KT_MC_NONE } };

	kt_multichan(test, true, t, ARRAY_SIZE(t));
	kt_multichan(test, false, t, ARRAY_SIZE(t));
}

static void multichan_single_terminates(struct kunit *test)
{
	static const struct kt_mc t[] = {
		{ 1, 0, KT_MC_TERMINATED }, { 2, 0, KT_MC_TERMINATED },
		{ 63, 0, KT_MC_TERMINATED },
	};

	kt_multichan(test, true, t, ARRAY_SIZE(t));
}

static void multichan_single_past_limit(struct kunit *test)
{
	/* The others are closed, so the channel limit does not apply. */
	static const struct kt_mc t[] = {
		{ 64, 0, KT_MC_TERMINATED }, { 65, 0, KT_MC_TERMINATED },
		{ U32_MAX, 0, KT_MC_TERMINATED },
	};

	kt_multichan(test, true, t, ARRAY_SIZE(t));
}

static void multichan_multi_maintained(struct kunit *test)
{
	static const struct kt_mc t[] = {
		{ 1, 0, KT_MC_MAINTAINED }, { 2, 0, KT_MC_MAINTAINED },
		{ 32, 0, KT_MC_MAINTAINED }, { 63, 0, KT_MC_MAINTAINED },
	};

	kt_multichan(test, false, t, ARRAY_SIZE(t));
}

static void multichan_multi_limit(struct kunit *test)
{
	/* 64 channels per I_T nexus: the 65th is turned away. */
	static const struct kt_mc t[] = {
		{ 64, KT_REJ_CHANNEL_LIMIT }, { 65, KT_REJ_CHANNEL_LIMIT },
		{ 1000, KT_REJ_CHANNEL_LIMIT },
		{ U32_MAX, KT_REJ_CHANNEL_LIMIT },
	};

	kt_multichan(test, false, t, ARRAY_SIZE(t));
}

/* The wire structures have the sizes and offsets of the specifications. */
static void wire_layouts(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, sizeof(struct srp_login_req), 64U);
	KUNIT_EXPECT_EQ(test, sizeof(struct srp_login_req_rdma), 56U);
	KUNIT_EXPECT_EQ(test, sizeof(struct srp_login_rsp), 52U);
	KUNIT_EXPECT_EQ(test, sizeof(struct srp_login_rej), 32U);
	KUNIT_EXPECT_EQ(test, sizeof(struct srp_cmd), 48U);
	KUNIT_EXPECT_EQ(test, sizeof(struct srp_rsp), 36U);
	KUNIT_EXPECT_EQ(test, sizeof(struct srpt_dm_mad), 256U);
	KUNIT_EXPECT_EQ(test, offsetof(struct srpt_dm_mad, data), 64U);
	KUNIT_EXPECT_EQ(test, sizeof(struct srpt_dm_iou_info), 132U);
	KUNIT_EXPECT_EQ(test, sizeof(struct srpt_dm_ioc_profile), 128U);
	KUNIT_EXPECT_EQ(test, offsetof(struct srpt_dm_ioc_profile, io_class),
			28U);
	KUNIT_EXPECT_EQ(test,
			offsetof(struct srpt_dm_ioc_profile, send_queue_depth),
			40U);
	KUNIT_EXPECT_EQ(test, offsetof(struct srpt_dm_ioc_profile, send_size),
			44U);
	KUNIT_EXPECT_EQ(test,
			offsetof(struct srpt_dm_ioc_profile, op_cap_mask), 52U);
	KUNIT_EXPECT_EQ(test,
			offsetof(struct srpt_dm_ioc_profile, id_string), 64U);
	KUNIT_EXPECT_EQ(test, sizeof(struct srpt_dm_svc_entry), 48U);
}

static struct kunit_case srpt_login_cases[] = {
	KUNIT_CASE(login_from_ib_fields),
	KUNIT_CASE(login_from_ib_ignores_reserved),
	KUNIT_CASE(login_from_rdma_fields),
	KUNIT_CASE(login_from_rdma_ignores_reserved),
	KUNIT_CASE(login_pdata_ib),
	KUNIT_CASE(login_pdata_rdma),
	KUNIT_CASE(login_pdata_ib_cm_size),
	KUNIT_CASE(login_pdata_rdma_longer),
	KUNIT_CASE(login_pdata_null),
	KUNIT_CASE(login_pdata_ib_short),
	KUNIT_CASE(login_pdata_rdma_short),
	KUNIT_CASE(login_pdata_ib_opcode),
	KUNIT_CASE(login_pdata_rdma_opcode),
	KUNIT_CASE(login_pdata_wrong_layout),
	KUNIT_CASE(login_accepts_valid),
	KUNIT_CASE(login_rejects_short_iu),
	KUNIT_CASE(login_accepts_min_iu),
	KUNIT_CASE(login_accepts_max_iu),
	KUNIT_CASE(login_rejects_long_iu),
	KUNIT_CASE(login_rejects_no_buf_fmt),
	KUNIT_CASE(login_accepts_one_buf_fmt),
	KUNIT_CASE(login_rejects_other_target),
	KUNIT_CASE(login_uses_max_req_size),
	KUNIT_CASE(login_uses_service_guid),
	KUNIT_CASE(login_multichan_action),
	KUNIT_CASE(login_imm_lowest_offset),
	KUNIT_CASE(login_imm_offset_at_iu_len),
	KUNIT_CASE(login_imm_offset_too_low),
	KUNIT_CASE(login_imm_offset_beyond_iu),
	KUNIT_CASE(login_imm_not_requested),
	KUNIT_CASE(login_imm_and_multichan),
	KUNIT_CASE_PARAM(login_rsp, kt_login_rsp_gen_params),
	KUNIT_CASE(login_rej_every_reason),
	KUNIT_CASE(login_ib_end_to_end),
	KUNIT_CASE(login_rdma_end_to_end),
	KUNIT_CASE(multichan_first_channel),
	KUNIT_CASE(multichan_single_terminates),
	KUNIT_CASE(multichan_single_past_limit),
	KUNIT_CASE(multichan_multi_maintained),
	KUNIT_CASE(multichan_multi_limit),
	KUNIT_CASE(wire_layouts),
	{}
};

static struct kunit_suite srpt_login_suite = {
	.name = "ib_srpt_login",
	.test_cases = srpt_login_cases,
};

/* ---------------------------------------------------------------------
 * Connection requests: port selection, P_Key, private data
 */

/* An HCA with two ports, as the CM handlers see it. */
static struct srpt_device *kt_two_port_hca(struct kunit *test)
{
	struct srpt_device *sdev;

	sdev = kunit_kzalloc(test, struct_size(sdev, port, 2), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, sdev);
	sdev->nports = 2;
	sdev->port[0].sdev = sdev;
	sdev->port[0].port = 1;
	sdev->port[1].sdev = sdev;
	sdev->port[1].port = 2;
	return sdev;
}

/* The 92 bytes of IB/CM REQ private data: a login, then zeros. */
static const u8 *kt_ib_req_pdata(struct kunit *test, u8 opcode)
{
	const struct kt_login l = { .iu_len = 4096, .buf_fmt = 0x0006,
				    .flags = 0x01 };
	u8 pdata[92] = {};

	kt_ib_login(pdata, &l);
	pdata[0] = opcode;
	return kt_tail(test, pdata, sizeof(pdata));
}

/* A REQ as IB/CM reports it, with a primary path carrying @pkey. */
static void kt_ib_req(struct ib_cm_req_event_param *p, struct sa_path_rec *path,
		      u32 port, u16 pkey)
{
	memset(p, 0, sizeof(*p));
	memset(path, 0, sizeof(*path));
	path->pkey = cpu_to_be16(pkey);
	p->primary_path = path;
	p->port = port;
	p->responder_resources = 4;
	p->initiator_depth = 8;
}

/* srpt_ib_req_parse() of @p with fresh private data starting @opcode. */
static u32 kt_ib_parse(struct kunit *test, struct srpt_device *sdev,
		       const struct ib_cm_req_event_param *p, u8 opcode,
		       struct srpt_req *req)
{
	return srpt_ib_req_parse(sdev, p, kt_ib_req_pdata(test, opcode), req);
}

static void req_port_selection(struct kunit *test)
{
	struct srpt_device *sdev = kt_two_port_hca(test);

	KUNIT_EXPECT_NULL(test, srpt_req_port(sdev, 0));
	KUNIT_EXPECT_PTR_EQ(test, srpt_req_port(sdev, 1), &sdev->port[0]);
	KUNIT_EXPECT_PTR_EQ(test, srpt_req_port(sdev, 2), &sdev->port[1]);
	KUNIT_EXPECT_NULL(test, srpt_req_port(sdev, 3));
	KUNIT_EXPECT_NULL(test, srpt_req_port(sdev, U32_MAX));
	/* An HCA on its way out has no context any more. */
	KUNIT_EXPECT_NULL(test, srpt_req_port(NULL, 1));
}

static void req_pkey_values(struct kunit *test)
{
	/* Default partition, full and limited membership. */
	KUNIT_EXPECT_TRUE(test, srpt_pkey_valid(0xffff));
	KUNIT_EXPECT_TRUE(test, srpt_pkey_valid(0x7fff));
	KUNIT_EXPECT_TRUE(test, srpt_pkey_valid(0x8001));
	KUNIT_EXPECT_TRUE(test, srpt_pkey_valid(0x0001));
	/* Low 15 bits zero: the invalid P_Key, either membership bit. */
	KUNIT_EXPECT_FALSE(test, srpt_pkey_valid(0x0000));
	KUNIT_EXPECT_FALSE(test, srpt_pkey_valid(0x8000));
}

/* Paths of srpt_path_change() cases, and what a case changes of them. */
enum kt_path_base { KT_PATH_NONE, KT_PATH_ROCE, KT_PATH_IB };

enum {
	/* Entries not noted at login (nor read now). */
	KT_UNNOTED_GID		= BIT(0),
	KT_UNNOTED_MAC		= BIT(1),
	KT_UNNOTED_PKEY		= BIT(2),
	/* What the port holds now. */
	KT_GID_GONE		= BIT(3),
	KT_GID_OTHER		= BIT(4),
	KT_MAC_OTHER		= BIT(5),
	KT_MAC_UNREADABLE	= BIT(6),
	KT_PKEY_OTHER		= BIT(7),
	KT_PKEY_MEMBERSHIP	= BIT(8),
	KT_PKEY_UNREADABLE	= BIT(9),
	KT_LID_OTHER		= BIT(10),
};

struct kt_path {
	const char *what;
	enum kt_path_base base;
	u32 edits;
	const char *change;	/* NULL: the channel stays */
};

static const char kt_gid_left[] = "its GID left the port";
static const char kt_new_mac[] = "its network device has a new MAC address";
static const char kt_pkey_left[] = "its P_Key left the port";
static const char kt_new_lid[] = "the port's LID changed";

static const struct kt_path kt_paths[] = {
	{ "nothing noted", KT_PATH_NONE, KT_LID_OTHER, NULL },
	{ "RoCE, unchanged", KT_PATH_ROCE, 0, NULL },
	{ "InfiniBand, unchanged", KT_PATH_IB, 0, NULL },
	{ "GID gone", KT_PATH_ROCE, KT_GID_GONE, kt_gid_left },
	{ "another GID found", KT_PATH_ROCE, KT_GID_OTHER, kt_gid_left },
	{ "GID gone and P_Key changed: the GID is named", KT_PATH_IB,
	  KT_GID_GONE | KT_PKEY_OTHER, kt_gid_left },
	{ "new MAC", KT_PATH_ROCE, KT_MAC_OTHER, kt_new_mac },
	{ "MAC unreadable", KT_PATH_ROCE, KT_MAC_UNREADABLE, kt_new_mac },
	{ "MAC not noted", KT_PATH_ROCE, KT_UNNOTED_MAC | KT_MAC_OTHER, NULL },
	{ "another partition", KT_PATH_IB, KT_PKEY_OTHER, kt_pkey_left },
	{ "full to limited membership", KT_PATH_IB, KT_PKEY_MEMBERSHIP,
	  kt_pkey_left },
	{ "P_Key entry unreadable", KT_PATH_IB, KT_PKEY_UNREADABLE,
	  kt_pkey_left },
	{ "P_Key not noted", KT_PATH_IB, KT_UNNOTED_PKEY | KT_PKEY_OTHER,
	  NULL },
	{ "new LID", KT_PATH_IB, KT_LID_OTHER, kt_new_lid },
	{ "no GID on InfiniBand, new LID", KT_PATH_IB,
	  KT_UNNOTED_GID | KT_LID_OTHER, kt_new_lid },
	{ "RoCE has no LID", KT_PATH_ROCE, KT_LID_OTHER, NULL },
};

static void kt_path_desc(const struct kt_path *t, char *desc)
{
	strscpy(desc, t->what, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(kt_path, kt_paths, kt_path_desc);

/*
 * A channel's path as noted at login: on RoCE a GID of a network device
 * and the default partition, on InfiniBand a P_Key at index 1 and a LID.
 */
static void kt_path_noted(enum kt_path_base base, struct srpt_ch_path *p)
{
	static const u8 mac[ETH_ALEN] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	static const u8 gid[16] = { [10] = 0xff, [11] = 0xff, 192, 0, 2, 11 };

	memset(p, 0, sizeof(*p));
	if (base == KT_PATH_NONE)
		return;
	memcpy(p->sgid.raw, gid, sizeof(gid));
	p->has_sgid = true;
	p->has_pkey = true;
	if (base == KT_PATH_ROCE) {
		ether_addr_copy(p->smac, mac);
		p->has_smac = true;
		p->pkey = 0xffff;
		return;
	}
	p->pkey = 0x8001;
	p->pkey_index = 1;
	p->lid = 7;
	p->has_lid = true;
}

/* What the port holds now: @noted with the changes @edits names. */
static void kt_path_now(const struct srpt_ch_path *noted, u32 edits,
			struct srpt_ch_path *now)
{
	*now = *noted;
	now->has_sgid &= !(edits & KT_GID_GONE);
	if (edits & KT_GID_OTHER)
		now->sgid.raw[15]++;
	if (edits & KT_MAC_OTHER)
		now->smac[5]++;
	now->has_smac &= !(edits & KT_MAC_UNREADABLE);
	if (edits & KT_PKEY_OTHER)
		now->pkey++;
	if (edits & KT_PKEY_MEMBERSHIP)
		now->pkey ^= 0x8000;
	now->has_pkey &= !(edits & KT_PKEY_UNREADABLE);
	if (edits & KT_LID_OTHER)
		now->lid++;
}

static void req_path_change(struct kunit *test)
{
	const struct kt_path *t = test->param_value;
	struct srpt_ch_path noted, now;
	const char *change;

	kt_path_noted(t->base, &noted);
	noted.has_sgid &= !(t->edits & KT_UNNOTED_GID);
	noted.has_smac &= !(t->edits & KT_UNNOTED_MAC);
	noted.has_pkey &= !(t->edits & KT_UNNOTED_PKEY);
	kt_path_now(&noted, t->edits, &now);
	change = srpt_path_change(&noted, &now);
	if (!t->change) {
		KUNIT_EXPECT_NULL(test, change);
		return;
	}
	KUNIT_ASSERT_NOT_NULL(test, change);
	KUNIT_EXPECT_STREQ(test, change, t->change);
}

static void req_ib_accepts(struct kunit *test)
{
	struct srpt_device *sdev = kt_two_port_hca(test);
	struct ib_cm_req_event_param p;
	struct sa_path_rec path;
	struct srpt_req req = {};

	kt_ib_req(&p, &path, 2, 0xffff);
	KUNIT_ASSERT_EQ(test, kt_ib_parse(test, sdev, &p, 0x00, &req), 0U);
	KUNIT_EXPECT_PTR_EQ(test, req.sport, &sdev->port[1]);
	KUNIT_EXPECT_EQ(test, req.login.tag, kt_tag64());
	KUNIT_EXPECT_EQ(test, req.login.req_it_iu_len, 4096U);
	KUNIT_EXPECT_EQ(test, req.login.req_buf_fmt, 0x0006);
	KUNIT_EXPECT_EQ(test, req.login.req_flags, 0x01);
	KUNIT_EXPECT_MEMEQ(test, req.login.i_port_id, kt_iport, 16);
	KUNIT_EXPECT_EQ(test, req.responder_resources, 4);
	KUNIT_EXPECT_EQ(test, req.initiator_depth, 8);
	KUNIT_EXPECT_NULL(test, req.src);

	/* A limited member's P_Key on port 1. */
	memset(&req, 0, sizeof(req));
	kt_ib_req(&p, &path, 1, 0x1234);
	KUNIT_EXPECT_EQ(test, kt_ib_parse(test, sdev, &p, 0x00, &req), 0U);
	KUNIT_EXPECT_PTR_EQ(test, req.sport, &sdev->port[0]);
}

static void req_ib_invalid_pkey(struct kunit *test)
{
	static const u16 bad[] = { 0x0000, 0x8000 };
	struct srpt_device *sdev = kt_two_port_hca(test);
	struct ib_cm_req_event_param p;
	struct sa_path_rec path;
	int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct srpt_req req = {};

		kt_ib_req(&p, &path, 1, bad[i]);
		KUNIT_EXPECT_EQ_MSG(test, kt_ib_parse(test, sdev, &p, 0x00, &req),
				    KT_REJ_NO_CHANNEL, "P_Key 0x%04x", bad[i]);
		/* The reject still echoes the login's tag. */
		KUNIT_EXPECT_EQ(test, req.login.tag, kt_tag64());
	}
}

static void req_ib_no_path(struct kunit *test)
{
	struct srpt_device *sdev = kt_two_port_hca(test);
	struct ib_cm_req_event_param p;
	struct sa_path_rec path;
	struct srpt_req req = {};

	kt_ib_req(&p, &path, 1, 0xffff);
	p.primary_path = NULL;
	KUNIT_EXPECT_EQ(test, kt_ib_parse(test, sdev, &p, 0x00, &req),
			KT_REJ_NO_CHANNEL);
}

static void req_ib_bad_port(struct kunit *test)
{
	static const u32 bad[] = { 0, 3, 255 };
	struct srpt_device *sdev = kt_two_port_hca(test);
	struct ib_cm_req_event_param p;
	struct sa_path_rec path;
	struct srpt_req req = {};
	int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		kt_ib_req(&p, &path, bad[i], 0xffff);
		KUNIT_EXPECT_EQ_MSG(test, kt_ib_parse(test, sdev, &p, 0x00, &req),
				    KT_REJ_NO_CHANNEL, "port %u", bad[i]);
		KUNIT_EXPECT_NULL(test, req.sport);
	}
	kt_ib_req(&p, &path, 1, 0xffff);
	KUNIT_EXPECT_EQ(test, kt_ib_parse(test, NULL, &p, 0x00, &req),
			KT_REJ_NO_CHANNEL);
}

static void req_ib_not_a_login(struct kunit *test)
{
	struct srpt_device *sdev = kt_two_port_hca(test);
	struct ib_cm_req_event_param p;
	struct sa_path_rec path;
	struct srpt_req req = {};

	kt_ib_req(&p, &path, 1, 0xffff);
	/* SRP_TSK_MGMT (0x01) is not a login; nothing is read from it. */
	KUNIT_EXPECT_EQ(test, kt_ib_parse(test, sdev, &p, 0x01, &req),
			KT_REJ_NO_CHANNEL);
	KUNIT_EXPECT_EQ(test, req.login.tag, 0ULL);
	KUNIT_EXPECT_NULL(test, req.sport);
	KUNIT_EXPECT_EQ(test, srpt_ib_req_parse(sdev, &p, NULL, &req),
			KT_REJ_NO_CHANNEL);
}

/* RDMA/CM connection parameters carrying @len bytes of @pdata. */
static void kt_rdma_req(struct rdma_conn_param *cp, const void *pdata, u8 len)
{
	memset(cp, 0, sizeof(*cp));
	cp->private_data = pdata;
	cp->private_data_len = len;
	cp->responder_resources = 16;
	cp->initiator_depth = 2;
}

static void req_rdma_accepts(struct kunit *test)
{
	const struct kt_login l = { .iu_len = 8276, .buf_fmt = 0x0002,
				    .tport = kt_tport_guid };
	struct srpt_device *sdev = kt_two_port_hca(test);
	struct rdma_conn_param cp;
	struct srpt_req req = {};
	u8 pdata[56];

	kt_rdma_login(pdata, &l);
	kt_rdma_req(&cp, kt_tail(test, pdata, 56), 56);
	KUNIT_ASSERT_EQ(test, srpt_rdma_req_parse(sdev, 1, &cp, &req), 0U);
	KUNIT_EXPECT_PTR_EQ(test, req.sport, &sdev->port[0]);
	KUNIT_EXPECT_EQ(test, req.login.tag, kt_tag64());
	KUNIT_EXPECT_EQ(test, req.login.req_it_iu_len, 8276U);
	KUNIT_EXPECT_EQ(test, req.login.req_buf_fmt, 0x0002);
	KUNIT_EXPECT_MEMEQ(test, req.login.t_port_id, kt_tport_guid, 16);
	KUNIT_EXPECT_EQ(test, req.responder_resources, 16);
	KUNIT_EXPECT_EQ(test, req.initiator_depth, 2);
}

static void req_rdma_short_pdata(struct kunit *test)
{
	const struct kt_login l = { .iu_len = 8276, .buf_fmt = 0x0002 };
	struct srpt_device *sdev = kt_two_port_hca(test);
	struct rdma_conn_param cp;
	struct srpt_req req;
	u8 pdata[56];
	u8 len;

	kt_rdma_login(pdata, &l);
	/* Every length short of the 56-byte RDMA/CM layout is refused. */
	for (len = 0; len < 56; len++) {
		memset(&req, 0, sizeof(req));
		kt_rdma_req(&cp, kt_tail(test, pdata, len), len);
		KUNIT_EXPECT_EQ_MSG(test, srpt_rdma_req_parse(sdev, 1, &cp, &req),
				    KT_REJ_NO_CHANNEL, "%u bytes", len);
	}
	kt_rdma_req(&cp, NULL, 0);
	memset(&req, 0, sizeof(req));
	KUNIT_EXPECT_EQ(test, srpt_rdma_req_parse(sdev, 1, &cp, &req),
			KT_REJ_NO_CHANNEL);
}

static void req_rdma_bad_port(struct kunit *test)
{
	const struct kt_login l = { .iu_len = 8276, .buf_fmt = 0x0002 };
	struct srpt_device *sdev = kt_two_port_hca(test);
	struct rdma_conn_param cp;
	struct srpt_req req = {};
	u8 pdata[56];

	kt_rdma_login(pdata, &l);
	kt_rdma_req(&cp, kt_tail(test, pdata, 56), 56);
	KUNIT_EXPECT_EQ(test, srpt_rdma_req_parse(sdev, 0, &cp, &req),
			KT_REJ_NO_CHANNEL);
	KUNIT_EXPECT_EQ(test, srpt_rdma_req_parse(sdev, 3, &cp, &req),
			KT_REJ_NO_CHANNEL);
	/* A device that is not ours (no client data). */
	KUNIT_EXPECT_EQ(test, srpt_rdma_req_parse(NULL, 1, &cp, &req),
			KT_REJ_NO_CHANNEL);
	KUNIT_EXPECT_NULL(test, req.sport);
}

static struct kunit_case srpt_req_cases[] = {
	KUNIT_CASE(req_port_selection),
	KUNIT_CASE(req_pkey_values),
	KUNIT_CASE_PARAM(req_path_change, kt_path_gen_params),
	KUNIT_CASE(req_ib_accepts),
	KUNIT_CASE(req_ib_invalid_pkey),
	KUNIT_CASE(req_ib_no_path),
	KUNIT_CASE(req_ib_bad_port),
	KUNIT_CASE(req_ib_not_a_login),
	KUNIT_CASE(req_rdma_accepts),
	KUNIT_CASE(req_rdma_short_pdata),
	KUNIT_CASE(req_rdma_bad_port),
	{}
};

static struct kunit_suite srpt_req_suite = {
	.name = "ib_srpt_req",
	.test_cases = srpt_req_cases,
};

/* ---------------------------------------------------------------------
 * SRP_CMD
 */

/* Room for the largest SRP_CMD built here (256 indirect descriptors). */
#define KT_IU_SIZE	4352

/* Buffer formats, byte 5: data-out in bits 7..4, data-in in bits 3..0. */
#define KT_OUT(fmt)	((fmt) << 4)
#define KT_IN(fmt)	(fmt)
#define KT_DIRECT	1
#define KT_INDIRECT	2
#define KT_IMM		3

#define KT_BAD_IU	((__force u32)TCM_INVALID_FIELD_IN_COMMAND_IU)
#define KT_BAD_CDB	((__force u32)TCM_INVALID_CDB_FIELD)

/* Do not check a pointer of the result. */
#define KT_ANY		U32_MAX

static const struct srpt_login_params kt_no_imm = {
	.it_iu_len = KT_IU_SIZE,
};

static const struct srpt_login_params kt_imm64 = {
	.it_iu_len = KT_IU_SIZE, .use_imm_data = true, .imm_data_offset = 64,
};

/*
 * Start an SRP_CMD (SRP r16a 6.8): opcode, buffer formats, descriptor
 * counts, tag, LUN 1, ADDITIONAL CDB LENGTH in byte 31 and a READ(10).
 */
static u8 *kt_cmd(struct kunit *test, u8 fmt, u8 out_cnt, u8 in_cnt,
		  u8 add_cdb)
{
	u8 *b = kunit_kzalloc(test, KT_IU_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, b);
	b[0] = 0x02;				/* SRP_CMD */
	b[5] = fmt;
	b[6] = out_cnt;
	b[7] = in_cnt;
	memcpy(b + 8, kt_tag, 8);
	b[21] = 0x01;				/* LUN 1, peripheral */
	b[31] = add_cdb;
	b[32] = 0x28;				/* READ(10) */
	return b;
}

/* A memory descriptor: virtual address, memory handle, length. */
static void kt_put_desc(u8 *p, u64 va, u32 key, u32 len)
{
	put_unaligned_be64(va, p);
	put_unaligned_be32(key, p + 8);
	put_unaligned_be32(len, p + 12);
}

/*
 * An indirect table at @off: the table descriptor (length 16 * @n), the
 * total length @total, then @n descriptors of lengths @lens. Returns
 * the IU length that ends with the table.
 */
static u32 kt_put_table(u8 *iu, u32 off, const u32 *lens, u32 n, u32 total)
{
	u32 i;

	kt_put_desc(iu + off, 0x10000, 0x1234, 16 * n);
	put_unaligned_be32(total, iu + off + 16);
	for (i = 0; i < n; i++)
		kt_put_desc(iu + off + 20 + 16 * i, 0x200000 + 0x10000 * i,
			    0x5678 + i, lens[i]);
	return off + 20 + 16 * n;
}

/* What srpt_parse_cmd() must find; offsets into the IU, 0 for NULL. */
struct kt_found {
	enum dma_data_direction dir;
	u32 len;
	u32 desc;
	u32 ndesc;
	u32 imm;
	u32 cdb_len;
};

/*
 * Parse the first @len bytes of *@iu from a copy that ends at a guard
 * page (kt_tail()), so that reading past the IU faults; *@iu becomes
 * the copy. The parser reads the buffer formats (byte 5) before it
 * checks the length, which is harmless inside a receive buffer: IUs
 * without that byte are parsed in place.
 */
static u32 kt_parse(struct kunit *test, u8 **iu, u32 len,
		    const struct srpt_login_params *p,
		    struct srpt_cmd_desc *d)
{
	if (len > 5)
		*iu = kt_tail(test, *iu, len);
	memset(d, 0xa5, sizeof(*d));
	return (__force u32)srpt_parse_cmd((void *)*iu, len, p, d);
}

static void kt_expect_ptr(struct kunit *test, const void *ptr, u8 *iu,
			  u32 off, const char *what)
{
	if (off != KT_ANY)
		KUNIT_EXPECT_PTR_EQ_MSG(test, ptr, off ? iu + off : NULL,
					"%s", what);
}

static void kt_parse_ok(struct kunit *test, u8 *iu, u32 len,
			const struct srpt_login_params *p,
			const struct kt_found *f)
{
	struct srpt_cmd_desc d;

	KUNIT_ASSERT_EQ(test, kt_parse(test, &iu, len, p, &d), 0U);
	KUNIT_EXPECT_EQ(test, d.dir, f->dir);
	KUNIT_EXPECT_EQ(test, d.data_len, f->len);
	kt_expect_ptr(test, d.desc, iu, f->desc, "desc");
	KUNIT_EXPECT_EQ(test, d.ndesc, f->ndesc);
	kt_expect_ptr(test, d.imm, iu, f->imm, "imm");
	KUNIT_EXPECT_EQ(test, d.cdb_len, f->cdb_len);
}

static void kt_parse_bad(struct kunit *test, u8 *iu, u32 len,
			 const struct srpt_login_params *p, u32 reason)
{
	struct srpt_cmd_desc d;
	u8 fmt = iu[5];

	KUNIT_EXPECT_EQ_MSG(test, kt_parse(test, &iu, len, p, &d), reason,
			    "buf_fmt %#x, %u bytes", fmt, len);
}

static void cmd_no_data(struct kunit *test)
{
	const struct kt_found f = { DMA_NONE, 0, 0, 0, 0, 16 };
	u8 *iu = kt_cmd(test, 0x00, 0, 0, 0);

	iu[32] = 0x00;				/* TEST UNIT READY */
	kt_parse_ok(test, iu, 48, &kt_no_imm, &f);
}

static void cmd_too_short(struct kunit *test)
{
	static const u32 lens[] = { 0, 16, 36, 47 };
	u8 *iu = kt_cmd(test, 0x00, 0, 0, 0);
	int i;

	for (i = 0; i < ARRAY_SIZE(lens); i++)
		kt_parse_bad(test, iu, lens[i], &kt_no_imm, KT_BAD_IU);
}

/* One direct descriptor at @off of length @len, format byte @fmt. */
static u8 *kt_direct(struct kunit *test, u8 fmt, u8 add_cdb, u32 len)
{
	u8 *iu = kt_cmd(test, fmt, 0, 0, add_cdb);

	kt_put_desc(iu + 48 + (add_cdb & 0xfc), 0x7f0000001000ULL, 0xabcd,
		    len);
	return iu;
}

static void cmd_direct_data_out(struct kunit *test)
{
	const struct kt_found f = { DMA_TO_DEVICE, 4096, 48, 1, 0, 16 };
	u8 *iu = kt_direct(test, KT_OUT(KT_DIRECT), 0, 4096);

	iu[32] = 0x2a;				/* WRITE(10) */
	kt_parse_ok(test, iu, 64, &kt_no_imm, &f);
}

static void cmd_direct_data_in(struct kunit *test)
{
	const struct kt_found f = { DMA_FROM_DEVICE, 0x20000, 48, 1, 0, 16 };
	u8 *iu = kt_direct(test, KT_IN(KT_DIRECT), 0, 0x20000);

	kt_parse_ok(test, iu, 64, &kt_no_imm, &f);
}

/*
 * An empty buffer keeps its direction, so that a READ expecting data is
 * answered with DIOVER, but leaves nothing to map.
 */
static void cmd_direct_zero_length(struct kunit *test)
{
	const struct kt_found f = { DMA_FROM_DEVICE, 0, 0, 0, 0, 16 };
	u8 *iu = kt_direct(test, KT_IN(KT_DIRECT), 0, 0);

	kt_parse_ok(test, iu, 64, &kt_no_imm, &f);
}

static void cmd_direct_truncated(struct kunit *test)
{
	u8 *iu = kt_direct(test, KT_OUT(KT_DIRECT), 0, 512);

	kt_parse_bad(test, iu, 48, &kt_no_imm, KT_BAD_IU);
	kt_parse_bad(test, iu, 63, &kt_no_imm, KT_BAD_IU);
}

static void cmd_direct_after_add_cdb(struct kunit *test)
{
	/* Eight additional CDB bytes: the descriptor moves to byte 56. */
	const struct kt_found f = { DMA_FROM_DEVICE, 512, 56, 1, 0, 24 };
	u8 *iu = kt_direct(test, KT_IN(KT_DIRECT), 0x08, 512);

	kt_parse_ok(test, iu, 72, &kt_no_imm, &f);
	kt_parse_bad(test, iu, 71, &kt_no_imm, KT_BAD_IU);
}

static void cmd_add_cdb_reserved_bits(struct kunit *test)
{
	/* Bits 1..0 of byte 31 are reserved: still no additional CDB. */
	const struct kt_found f = { DMA_FROM_DEVICE, 512, 48, 1, 0, 16 };
	u8 *iu = kt_direct(test, KT_IN(KT_DIRECT), 0x03, 512);

	kt_parse_ok(test, iu, 64, &kt_no_imm, &f);
}

static void cmd_add_cdb_beyond_iu(struct kunit *test)
{
	u8 *iu = kt_cmd(test, 0x00, 0, 0, 0xfc);

	kt_parse_bad(test, iu, 64, &kt_no_imm, KT_BAD_IU);
	kt_parse_bad(test, iu, 48 + 248, &kt_no_imm, KT_BAD_IU);
}

static void cmd_add_cdb_fills_iu(struct kunit *test)
{
	const struct kt_found f = { DMA_NONE, 0, 0, 0, 0, 16 + 252 };
	u8 *iu = kt_cmd(test, 0x00, 0, 0, 0xfc);

	kt_parse_ok(test, iu, 48 + 252, &kt_no_imm, &f);
}

/* A variable-length CDB (opcode 0x7f) of 8 + @add_len bytes. */
static u8 *kt_varlen(struct kunit *test, u8 add_len, u8 add_cdb)
{
	u8 *iu = kt_direct(test, KT_IN(KT_DIRECT), add_cdb, 4096);

	iu[32] = 0x7f;
	iu[39] = add_len;			/* CDB byte 7 */
	return iu;
}

static void cmd_varlen_cdb(struct kunit *test)
{
	/* A 32-byte CDB needs 16 additional bytes: byte 31 = 0x10. */
	const struct kt_found f = { DMA_FROM_DEVICE, 4096, 64, 1, 0, 32 };
	u8 *iu = kt_varlen(test, 24, 0x10);

	kt_parse_ok(test, iu, 80, &kt_no_imm, &f);
}

static void cmd_varlen_cdb_short(struct kunit *test)
{
	const struct kt_found f = { DMA_FROM_DEVICE, 4096, 48, 1, 0, 16 };
	u8 *iu = kt_varlen(test, 8, 0);

	kt_parse_ok(test, iu, 64, &kt_no_imm, &f);
}

static void cmd_varlen_cdb_too_long(struct kunit *test)
{
	kt_parse_bad(test, kt_varlen(test, 24, 0), 64, &kt_no_imm,
		     KT_BAD_CDB);
	kt_parse_bad(test, kt_varlen(test, 24, 0x0c), 76, &kt_no_imm,
		     KT_BAD_CDB);
	kt_parse_bad(test, kt_varlen(test, 9, 0), 64, &kt_no_imm,
		     KT_BAD_CDB);
}

static void cmd_cdb16(struct kunit *test)
{
	const struct kt_found f = { DMA_FROM_DEVICE, 512, 48, 1, 0, 16 };
	u8 *iu = kt_direct(test, KT_IN(KT_DIRECT), 0, 512);

	iu[32] = 0x88;				/* READ(16) */
	kt_parse_ok(test, iu, 64, &kt_no_imm, &f);
}

static void cmd_max_length(struct kunit *test)
{
	const struct kt_found f = { DMA_TO_DEVICE, KT_16M, 48, 1, 0, 16 };
	u8 *iu = kt_direct(test, KT_OUT(KT_DIRECT), 0, KT_16M);

	kt_parse_ok(test, iu, 64, &kt_no_imm, &f);
}

static void cmd_length_too_large(struct kunit *test)
{
	kt_parse_bad(test, kt_direct(test, KT_OUT(KT_DIRECT), 0, KT_16M + 1),
		     64, &kt_no_imm, KT_BAD_IU);
	kt_parse_bad(test, kt_direct(test, KT_IN(KT_DIRECT), 0, 0xffffffff),
		     64, &kt_no_imm, KT_BAD_IU);
}

static void cmd_bidirectional(struct kunit *test)
{
	static const u8 fmts[] = { 0x11, 0x22, 0x12, 0x21, 0x31 };
	int i;

	for (i = 0; i < ARRAY_SIZE(fmts); i++) {
		u8 *iu = kt_cmd(test, fmts[i], 1, 1, 0);

		kt_put_desc(iu + 48, 0x1000, 1, 512);
		kt_put_desc(iu + 64, 0x2000, 2, 512);
		kt_parse_bad(test, iu, 128, &kt_imm64, KT_BAD_IU);
	}
}

static void cmd_unknown_format(struct kunit *test)
{
	static const u8 fmts[] = { 0x40, 0x04, 0xf0, 0x0f, 0x50 };
	int i;

	for (i = 0; i < ARRAY_SIZE(fmts); i++)
		kt_parse_bad(test, kt_direct(test, fmts[i], 0, 512), 64,
			     &kt_imm64, KT_BAD_IU);
}

static void cmd_indirect_data_out(struct kunit *test)
{
	static const u32 lens[] = { 4096, 512 };
	const struct kt_found f = { DMA_TO_DEVICE, 4608, 68, 2, 0, 16 };
	u8 *iu = kt_cmd(test, KT_OUT(KT_INDIRECT), 2, 0, 0);
	u32 len = kt_put_table(iu, 48, lens, 2, 4608);

	KUNIT_ASSERT_EQ(test, len, 100U);
	kt_parse_ok(test, iu, len, &kt_no_imm, &f);
}

static void cmd_indirect_data_in_count(struct kunit *test)
{
	/* The data-out count (7) belongs to no buffer and is ignored. */
	static const u32 lens[] = { 0x10000 };
	const struct kt_found f = { DMA_FROM_DEVICE, 0x10000, 68, 1, 0, 16 };
	u8 *iu = kt_cmd(test, KT_IN(KT_INDIRECT), 7, 1, 0);
	u32 len = kt_put_table(iu, 48, lens, 1, 0x10000);

	kt_parse_ok(test, iu, len, &kt_no_imm, &f);
}

static void cmd_indirect_after_add_cdb(struct kunit *test)
{
	static const u32 lens[] = { 100, 200, 300 };
	const struct kt_found f = { DMA_FROM_DEVICE, 600, 52 + 20, 3, 0, 20 };
	u8 *iu = kt_cmd(test, KT_IN(KT_INDIRECT), 0, 3, 0x04);
	u32 len = kt_put_table(iu, 52, lens, 3, 600);

	kt_parse_ok(test, iu, len, &kt_no_imm, &f);
}

static void cmd_indirect_total_mismatch(struct kunit *test)
{
	static const u32 lens[] = { 4096, 4096 };
	static const u32 totals[] = { 8191, 8193, 4096, 0 };
	int i;

	for (i = 0; i < ARRAY_SIZE(totals); i++) {
		u8 *iu = kt_cmd(test, KT_OUT(KT_INDIRECT), 2, 0, 0);
		u32 len = kt_put_table(iu, 48, lens, 2, totals[i]);

		kt_parse_bad(test, iu, len, &kt_no_imm, KT_BAD_IU);
	}
}

static void cmd_indirect_bad_table_length(struct kunit *test)
{
	/* The table descriptor length must be 16 per descriptor. */
	static const u32 tlens[] = { 0, 8, 15, 17, 24, 16 };
	static const u32 lens[] = { 512 };
	int i;

	for (i = 0; i < ARRAY_SIZE(tlens); i++) {
		u8 *iu = kt_cmd(test, KT_IN(KT_INDIRECT), 0, 2, 0);
		u32 len = kt_put_table(iu, 48, lens, 1, 512);

		/* Room for a second descriptor after the first. */
		put_unaligned_be32(tlens[i], iu + 48 + 12);
		kt_parse_bad(test, iu, len + 16, &kt_no_imm, KT_BAD_IU);
	}
}

static void cmd_indirect_count_mismatch(struct kunit *test)
{
	static const u32 lens[] = { 512, 512 };
	static const u8 counts[] = { 0, 1, 3, 255 };
	int i;

	for (i = 0; i < ARRAY_SIZE(counts); i++) {
		u8 *iu = kt_cmd(test, KT_OUT(KT_INDIRECT), counts[i], 0, 0);
		u32 len = kt_put_table(iu, 48, lens, 2, 1024);

		kt_parse_bad(test, iu, len, &kt_no_imm, KT_BAD_IU);
	}
}

static void cmd_indirect_partial_table(struct kunit *test)
{
	static const u32 lens[] = { 512, 512, 512 };
	u8 *iu = kt_cmd(test, KT_IN(KT_INDIRECT), 0, 3, 0);
	u32 len = kt_put_table(iu, 48, lens, 3, 1536);

	kt_parse_bad(test, iu, len - 1, &kt_no_imm, KT_BAD_IU);
	kt_parse_bad(test, iu, len - 16, &kt_no_imm, KT_BAD_IU);
	kt_parse_bad(test, iu, 68, &kt_no_imm, KT_BAD_IU);
}

static void cmd_indirect_header_truncated(struct kunit *test)
{
	static const u32 lens[] = { 512 };
	u8 *iu = kt_cmd(test, KT_IN(KT_INDIRECT), 0, 1, 0);

	kt_put_table(iu, 48, lens, 1, 512);
	kt_parse_bad(test, iu, 67, &kt_no_imm, KT_BAD_IU);
	kt_parse_bad(test, iu, 48, &kt_no_imm, KT_BAD_IU);
}

static void cmd_indirect_sum_overflow(struct kunit *test)
{
	/* 0x80000000 + 0x80000000 wraps to the claimed total of 0. */
	static const u32 lens[] = { 0x80000000, 0x80000000 };
	static const u32 lens3[] = { 0xffffffff, 0x00001001, 0x00001000 };
	u8 *iu = kt_cmd(test, KT_OUT(KT_INDIRECT), 2, 0, 0);
	u32 len = kt_put_table(iu, 48, lens, 2, 0);

	kt_parse_bad(test, iu, len, &kt_no_imm, KT_BAD_IU);
	/* 0xffffffff + 0x1001 + 0x1000 wraps to 0x2000. */
	iu = kt_cmd(test, KT_OUT(KT_INDIRECT), 3, 0, 0);
	len = kt_put_table(iu, 48, lens3, 3, 0x2000);
	kt_parse_bad(test, iu, len, &kt_no_imm, KT_BAD_IU);
}

static void cmd_indirect_too_large(struct kunit *test)
{
	static const u32 lens[] = { 0x00800000, 0x00800001 };
	u8 *iu = kt_cmd(test, KT_IN(KT_INDIRECT), 0, 2, 0);
	u32 len = kt_put_table(iu, 48, lens, 2, KT_16M + 1);

	kt_parse_bad(test, iu, len, &kt_no_imm, KT_BAD_IU);
}

/* A data-in table of @n 4 KiB descriptors at 48; returns the IU length. */
static u32 kt_put_4k_table(struct kunit *test, u8 *iu, u32 n)
{
	u32 *lens = kunit_kmalloc_array(test, n, sizeof(*lens), GFP_KERNEL);
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, lens);
	for (i = 0; i < n; i++)
		lens[i] = 4096;
	return kt_put_table(iu, 48, lens, n, n * 4096);
}

static void cmd_indirect_255_descriptors(struct kunit *test)
{
	const struct kt_found f = { DMA_FROM_DEVICE, 255 * 4096, 68, 255, 0,
				    16 };
	u8 *iu = kt_cmd(test, KT_IN(KT_INDIRECT), 0, 255, 0);
	u32 len = kt_put_4k_table(test, iu, 255);

	KUNIT_ASSERT_EQ(test, len, 48U + 20 + 255 * 16);
	kt_parse_ok(test, iu, len, &kt_no_imm, &f);
}

static void cmd_indirect_256_descriptors(struct kunit *test)
{
	/* A one-byte count cannot say 256: the table is not the count's. */
	u8 *iu = kt_cmd(test, KT_IN(KT_INDIRECT), 0, 0, 0);
	u32 len = kt_put_4k_table(test, iu, 256);

	KUNIT_ASSERT_EQ(test, len, 48U + 20 + 256 * 16);
	kt_parse_bad(test, iu, len, &kt_no_imm, KT_BAD_IU);
	iu[7] = 255;
	kt_parse_bad(test, iu, len, &kt_no_imm, KT_BAD_IU);
}

static void cmd_indirect_zero_length(struct kunit *test)
{
	static const u32 lens[] = { 0, 0 };
	const struct kt_found f = { DMA_TO_DEVICE, 0, 0, 0, 0, 16 };
	u8 *iu = kt_cmd(test, KT_OUT(KT_INDIRECT), 2, 0, 0);
	u32 len = kt_put_table(iu, 48, lens, 2, 0);

	kt_parse_ok(test, iu, len, &kt_no_imm, &f);
}

/* Immediate data: the 4-byte length at 48 + @add_cdb, data at @off. */
static u8 *kt_imm(struct kunit *test, u8 fmt, u8 add_cdb, u32 len)
{
	u8 *iu = kt_cmd(test, fmt, 0, 0, add_cdb);

	iu[32] = 0x2a;				/* WRITE(10) */
	put_unaligned_be32(len, iu + 48 + (add_cdb & 0xfc));
	return iu;
}

static void cmd_imm_data(struct kunit *test)
{
	const struct kt_found f = { DMA_TO_DEVICE, 1000, 0, 0, 64, 16 };
	u8 *iu = kt_imm(test, KT_OUT(KT_IMM), 0, 1000);

	kt_parse_ok(test, iu, 64 + 1000, &kt_imm64, &f);
}

static void cmd_imm_data_past_iu(struct kunit *test)
{
	u8 *iu = kt_imm(test, KT_OUT(KT_IMM), 0, 1000);

	kt_parse_bad(test, iu, 64 + 999, &kt_imm64, KT_BAD_IU);
	kt_parse_bad(test, iu, 64, &kt_imm64, KT_BAD_IU);
}

static void cmd_imm_not_granted(struct kunit *test)
{
	u8 *iu = kt_imm(test, KT_OUT(KT_IMM), 0, 1000);

	kt_parse_bad(test, iu, 64 + 1000, &kt_no_imm, KT_BAD_IU);
}

static void cmd_imm_data_in(struct kunit *test)
{
	u8 *iu = kt_imm(test, KT_IN(KT_IMM), 0, 1000);

	kt_parse_bad(test, iu, 64 + 1000, &kt_imm64, KT_BAD_IU);
}

static void cmd_imm_header_past_offset(struct kunit *test)
{
	/* 16 additional CDB bytes put the header at 64..67, past 64. */
	u8 *iu = kt_imm(test, KT_OUT(KT_IMM), 0x10, 100);

	iu[32] = 0x7f;
	iu[39] = 24;
	kt_parse_bad(test, iu, 64 + 100, &kt_imm64, KT_BAD_IU);
}

static void cmd_imm_header_at_offset(struct kunit *test)
{
	/* The lowest offset a login may grant: the header ends at 52. */
	const struct srpt_login_params p = {
		.it_iu_len = KT_IU_SIZE, .use_imm_data = true,
		.imm_data_offset = 52,
	};
	const struct kt_found f = { DMA_TO_DEVICE, 200, 0, 0, 52, 16 };
	u8 *iu = kt_imm(test, KT_OUT(KT_IMM), 0, 200);

	kt_parse_ok(test, iu, 52 + 200, &p, &f);
	kt_parse_bad(test, kt_imm(test, KT_OUT(KT_IMM), 0x04, 200), 52 + 200,
		     &p, KT_BAD_IU);
}

static void cmd_imm_length_overflow(struct kunit *test)
{
	/* 64 + 0xffffffff wraps to 63, which is inside the IU. */
	u8 *iu = kt_imm(test, KT_OUT(KT_IMM), 0, 0xffffffff);

	kt_parse_bad(test, iu, 4096, &kt_imm64, KT_BAD_IU);
	iu = kt_imm(test, KT_OUT(KT_IMM), 0, 0xffffffc0);
	kt_parse_bad(test, iu, 4096, &kt_imm64, KT_BAD_IU);
}

/* No immediate data to copy: nothing for srpt_cmd_map() to allocate. */
static void cmd_imm_zero_length(struct kunit *test)
{
	const struct kt_found f = { DMA_TO_DEVICE, 0, 0, 0, 0, 16 };
	u8 *iu = kt_imm(test, KT_OUT(KT_IMM), 0, 0);

	kt_parse_ok(test, iu, 64, &kt_imm64, &f);
}

static void cmd_imm_header_past_iu(struct kunit *test)
{
	/*
	 * The IU ends where the immediate data header would start (48, or
	 * 52 after 4 additional CDB bytes), before the granted offset 64.
	 * The length must not be read: kt_parse() faults if it is.
	 */
	kt_parse_bad(test, kt_imm(test, KT_OUT(KT_IMM), 0, 4), 48, &kt_imm64,
		     KT_BAD_IU);
	kt_parse_bad(test, kt_imm(test, KT_OUT(KT_IMM), 0x04, 4), 52,
		     &kt_imm64, KT_BAD_IU);
	kt_parse_bad(test, kt_imm(test, KT_OUT(KT_IMM), 0, 0), 51, &kt_imm64,
		     KT_BAD_IU);
}

static void cmd_imm_header_ends_iu(struct kunit *test)
{
	/* Header at 48..51, granted offset 52, no data: a 52-byte IU. */
	const struct srpt_login_params p = {
		.it_iu_len = KT_IU_SIZE, .use_imm_data = true,
		.imm_data_offset = 52,
	};
	const struct kt_found f = { DMA_TO_DEVICE, 0, 0, 0, 0, 16 };

	kt_parse_ok(test, kt_imm(test, KT_OUT(KT_IMM), 0, 0), 52, &p, &f);
	kt_parse_bad(test, kt_imm(test, KT_OUT(KT_IMM), 0, 1), 52, &p,
		     KT_BAD_IU);
}

/* TASK ATTRIBUTE of an SRP_CMD and the target core tag it becomes. */
struct kt_task_attr {
	u8 attr;
	int tag;
};

static void kt_expect_task_attrs(struct kunit *test,
				 const struct kt_task_attr *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ_MSG(test, srpt_task_attr(t[i].attr), t[i].tag,
				    "attribute %#x", t[i].attr);
}

static void task_attr_defined(struct kunit *test)
{
	/* SRP r16a 6.8: simple, head of queue, ordered, ACA. */
	static const struct kt_task_attr t[] = {
		{ 0, TCM_SIMPLE_TAG }, { 1, TCM_HEAD_TAG },
		{ 2, TCM_ORDERED_TAG }, { 4, TCM_ACA_TAG },
	};

	kt_expect_task_attrs(test, t, ARRAY_SIZE(t));
}

static void task_attr_reserved(struct kunit *test)
{
	static const struct kt_task_attr t[] = {
		{ 3, TCM_SIMPLE_TAG }, { 5, TCM_SIMPLE_TAG },
		{ 6, TCM_SIMPLE_TAG }, { 7, TCM_SIMPLE_TAG },
	};

	kt_expect_task_attrs(test, t, ARRAY_SIZE(t));
}

static void task_attr_upper_bits(struct kunit *test)
{
	/* Bits 7..3 are reserved: only bits 2..0 count. */
	static const struct kt_task_attr t[] = {
		{ 0x08, TCM_SIMPLE_TAG }, { 0x80, TCM_SIMPLE_TAG },
		{ 0xf9, TCM_HEAD_TAG }, { 0x0a, TCM_ORDERED_TAG },
		{ 0x42, TCM_ORDERED_TAG }, { 0xfc, TCM_ACA_TAG },
		{ 0x0c, TCM_ACA_TAG }, { 0xff, TCM_SIMPLE_TAG },
		{ 0xfb, TCM_SIMPLE_TAG },
	};

	kt_expect_task_attrs(test, t, ARRAY_SIZE(t));
}

static struct kunit_case srpt_cmd_cases[] = {
	KUNIT_CASE(cmd_no_data),
	KUNIT_CASE(cmd_too_short),
	KUNIT_CASE(cmd_direct_data_out),
	KUNIT_CASE(cmd_direct_data_in),
	KUNIT_CASE(cmd_direct_zero_length),
	KUNIT_CASE(cmd_direct_truncated),
	KUNIT_CASE(cmd_direct_after_add_cdb),
	KUNIT_CASE(cmd_add_cdb_reserved_bits),
	KUNIT_CASE(cmd_add_cdb_beyond_iu),
	KUNIT_CASE(cmd_add_cdb_fills_iu),
	KUNIT_CASE(cmd_varlen_cdb),
	KUNIT_CASE(cmd_varlen_cdb_short),
	KUNIT_CASE(cmd_varlen_cdb_too_long),
	KUNIT_CASE(cmd_cdb16),
	KUNIT_CASE(cmd_max_length),
	KUNIT_CASE(cmd_length_too_large),
	KUNIT_CASE(cmd_bidirectional),
	KUNIT_CASE(cmd_unknown_format),
	KUNIT_CASE(cmd_indirect_data_out),
	KUNIT_CASE(cmd_indirect_data_in_count),
	KUNIT_CASE(cmd_indirect_after_add_cdb),
	KUNIT_CASE(cmd_indirect_total_mismatch),
	KUNIT_CASE(cmd_indirect_bad_table_length),
	KUNIT_CASE(cmd_indirect_count_mismatch),
	KUNIT_CASE(cmd_indirect_partial_table),
	KUNIT_CASE(cmd_indirect_header_truncated),
	KUNIT_CASE(cmd_indirect_sum_overflow),
	KUNIT_CASE(cmd_indirect_too_large),
	KUNIT_CASE(cmd_indirect_255_descriptors),
	KUNIT_CASE(cmd_indirect_256_descriptors),
	KUNIT_CASE(cmd_indirect_zero_length),
	KUNIT_CASE(cmd_imm_data),
	KUNIT_CASE(cmd_imm_data_past_iu),
	KUNIT_CASE(cmd_imm_not_granted),
	KUNIT_CASE(cmd_imm_data_in),
	KUNIT_CASE(cmd_imm_header_past_offset),
	KUNIT_CASE(cmd_imm_header_at_offset),
	KUNIT_CASE(cmd_imm_length_overflow),
	KUNIT_CASE(cmd_imm_zero_length),
	KUNIT_CASE(cmd_imm_header_past_iu),
	KUNIT_CASE(cmd_imm_header_ends_iu),
	KUNIT_CASE(task_attr_defined),
	KUNIT_CASE(task_attr_reserved),
	KUNIT_CASE(task_attr_upper_bits),
	{}
};

static struct kunit_suite srpt_cmd_suite = {
	.name = "ib_srpt_cmd",
	.test_cases = srpt_cmd_cases,
};

/* ---------------------------------------------------------------------
 * SRP_RSP and task management
 */

/* Fixed-format sense data: ILLEGAL REQUEST, INVALID FIELD IN CDB. */
static const u8 kt_sense[18] = {
	0x70, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x0a,
	0x00, 0x00, 0x00, 0x00, 0x24, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* The fields of an SRP_RSP (SRP r16a 6.9). */
struct kt_rsp {
	u8 flags;
	u8 status;
	u32 lim;
	u32 do_res;
	u32 di_res;
	u32 sense_len;
	u32 rsp_len;
};

static void kt_expect_rsp_hdr(struct kunit *test, const u8 *b,
			      const struct kt_rsp *r)
{
	u8 exp[36] = {};

	exp[0] = 0xc1;				/* SRP_RSP */
	put_unaligned_be32(r->lim, exp + 4);
	memcpy(exp + 8, kt_tag, 8);
	exp[18] = r->flags;
	exp[19] = r->status;
	put_unaligned_be32(r->do_res, exp + 20);
	put_unaligned_be32(r->di_res, exp + 24);
	put_unaligned_be32(r->sense_len, exp + 28);
	put_unaligned_be32(r->rsp_len, exp + 32);
	KUNIT_EXPECT_MEMEQ(test, b, exp, sizeof(exp));
}

/* Build an SRP_RSP into a @size-byte buffer; check the header and size. */
static u8 *kt_rsp(struct kunit *test, u32 size, const u8 *sense,
		  u32 sense_len, const struct kt_rsp *in,
		  const struct kt_rsp *exp)
{
	u8 *b = kt_guarded(test, size);
	u32 len;

	len = srpt_build_rsp(b, size, kt_tag64(), in->status, sense,
			     sense_len, in->flags, in->do_res, in->di_res,
			     in->lim);
	KUNIT_EXPECT_EQ(test, len, 36 + exp->sense_len);
	kt_expect_rsp_hdr(test, b, exp);
	kt_expect_guard(test, b, size);
	return b;
}

static void rsp_status_only(struct kunit *test)
{
	const struct kt_rsp r = { .status = 0x08, .lim = 5 };	/* BUSY */

	kt_rsp(test, 256, NULL, 0, &r, &r);
}

static void rsp_good_no_credit(struct kunit *test)
{
	const struct kt_rsp r = {};

	kt_rsp(test, 40, NULL, 0, &r, &r);
}

/* CHECK CONDITION with @sense_len bytes of sense in a @size buffer. */
struct kt_rsp_sense {
	const char *what;
	u32 size, sense_len;
	u32 kept;		/* sense bytes that must be sent */
};

static const struct kt_rsp_sense kt_rsp_senses[] = {
	{ "sense fits", 256, 18, 18 },
	{ "sense fits exactly", 54, 18, 18 },
	{ "sense truncated to 4 bytes", 40, 18, 4 },
	{ "sense truncated by one byte", 53, 18, 17 },
};

static void kt_rsp_sense_desc(const struct kt_rsp_sense *t, char *desc)
{
	strscpy(desc, t->what, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(kt_rsp_sense, kt_rsp_senses, kt_rsp_sense_desc);

static void rsp_sense(struct kunit *test)
{
	const struct kt_rsp_sense *t = test->param_value;
	const struct kt_rsp in = { .status = 0x02, .lim = 1 };
	const struct kt_rsp exp = { .status = 0x02, .lim = 1, .flags = 0x02,
				    .sense_len = t->kept };
	u8 *b = kt_rsp(test, t->size, kt_sense, t->sense_len, &in, &exp);

	KUNIT_EXPECT_MEMEQ(test, b + 36, kt_sense, t->kept);
}

static void rsp_sense_empty(struct kunit *test)
{
	/* No sense bytes, or no sense buffer: SNSVALID stays clear. */
	const struct kt_rsp r = { .status = 0x02, .lim = 3 };

	kt_rsp(test, 256, kt_sense, 0, &r, &r);
	kt_rsp(test, 256, NULL, 18, &r, &r);
}

static void rsp_residuals(struct kunit *test)
{
	/* DIUNDER (0x20) with a data-in residual, DOOVER (0x04) out. */
	const struct kt_rsp under = { .flags = 0x20, .di_res = 512, .lim = 1 };
	const struct kt_rsp over = { .flags = 0x04, .do_res = 100, .lim = 1 };
	const struct kt_rsp both = { .flags = 0x18, .do_res = 7, .di_res = 9 };

	kt_rsp(test, 64, NULL, 0, &under, &under);
	kt_rsp(test, 64, NULL, 0, &over, &over);
	kt_rsp(test, 64, NULL, 0, &both, &both);
}

static void rsp_residual_with_sense(struct kunit *test)
{
	const struct kt_rsp in = { .status = 0x02, .flags = 0x20,
				   .di_res = 4096, .lim = 2 };
	const struct kt_rsp exp = { .status = 0x02, .flags = 0x22,
				    .di_res = 4096, .lim = 2,
				    .sense_len = 18 };

	kt_rsp(test, 256, kt_sense, 18, &in, &exp);
}

static void rsp_byte_order(struct kunit *test)
{
	const struct kt_rsp r = { .status = 0x18, .lim = 0x01020304,
				  .do_res = 0x0a0b0c0d, .di_res = 0x10203040 };

	kt_rsp(test, 64, NULL, 0, &r, &r);
}

/* An SRP_RSP with RSPVALID and the 4-byte response data (SRP r16a). */
struct kt_code_rsp {
	const char *what;
	u8 code;
	u32 lim;
};

static const struct kt_code_rsp kt_code_rsps[] = {
	{ "function complete", 0x00, 1 },
	{ "function not supported", 0x04, 0x01020304 },
	{ "function failed", 0x05, 0 },
	{ "invalid fields", 0x02, 17 },
};

static void kt_code_rsp_desc(const struct kt_code_rsp *t, char *desc)
{
	strscpy(desc, t->what, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(kt_code_rsp, kt_code_rsps, kt_code_rsp_desc);

static void code_rsp(struct kunit *test)
{
	const struct kt_code_rsp *t = test->param_value;
	const struct kt_rsp r = { .flags = 0x01, .lim = t->lim, .rsp_len = 4 };
	const u8 data[4] = { 0, 0, 0, t->code };
	u8 *b = kt_guarded(test, 40);

	KUNIT_EXPECT_EQ(test, srpt_build_code_rsp(b, kt_tag64(), t->code,
						  t->lim), 40U);
	kt_expect_rsp_hdr(test, b, &r);
	KUNIT_EXPECT_MEMEQ(test, b + 36, data, 4);
	kt_expect_guard(test, b, 40);
}

static void tmf_to_tcm_known(struct kunit *test)
{
	/* TASK MANAGEMENT FLAGS of SRP_TSK_MGMT (SRP r16a 6.7). */
	static const struct {
		u8 srp;
		int tcm;
	} map[] = {
		{ 0x01, TMR_ABORT_TASK }, { 0x02, TMR_ABORT_TASK_SET },
		{ 0x04, TMR_CLEAR_TASK_SET }, { 0x08, TMR_LUN_RESET },
		{ 0x40, TMR_CLEAR_ACA },
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(map); i++)
		KUNIT_EXPECT_EQ_MSG(test, srpt_tmf_to_tcm(map[i].srp),
				    map[i].tcm, "function %#x", map[i].srp);
}

static void tmf_to_tcm_unknown(struct kunit *test)
{
	static const u8 fns[] = { 0x00, 0x03, 0x05, 0x10, 0x20, 0x41, 0x80,
				  0xff };
	int i;

	for (i = 0; i < ARRAY_SIZE(fns); i++)
		KUNIT_EXPECT_EQ_MSG(test, srpt_tmf_to_tcm(fns[i]), -EINVAL,
				    "function %#x", fns[i]);
}

static void tmr_rsp_complete(struct kunit *test)
{
	/* An ABORT TASK for a task that is gone has also completed. */
	KUNIT_EXPECT_EQ(test, srpt_tmr_rsp_code(TMR_FUNCTION_COMPLETE), 0x00);
	KUNIT_EXPECT_EQ(test, srpt_tmr_rsp_code(TMR_TASK_DOES_NOT_EXIST),
			0x00);
}

static void tmr_rsp_not_supported(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test,
			srpt_tmr_rsp_code(TMR_TASK_MGMT_FUNCTION_NOT_SUPPORTED),
			0x04);
}

static void tmr_rsp_failed(struct kunit *test)
{
	static const u8 rsps[] = { TMR_FUNCTION_FAILED, TMR_LUN_DOES_NOT_EXIST,
				   TMR_FUNCTION_REJECTED, 0x7f, 0xff };
	int i;

	for (i = 0; i < ARRAY_SIZE(rsps); i++)
		KUNIT_EXPECT_EQ_MSG(test, srpt_tmr_rsp_code(rsps[i]), 0x05,
				    "response %u", rsps[i]);
}

static struct kunit_case srpt_rsp_cases[] = {
	KUNIT_CASE(rsp_status_only),
	KUNIT_CASE(rsp_good_no_credit),
	KUNIT_CASE_PARAM(rsp_sense, kt_rsp_sense_gen_params),
	KUNIT_CASE(rsp_sense_empty),
	KUNIT_CASE(rsp_residuals),
	KUNIT_CASE(rsp_residual_with_sense),
	KUNIT_CASE(rsp_byte_order),
	KUNIT_CASE_PARAM(code_rsp, kt_code_rsp_gen_params),
	KUNIT_CASE(tmf_to_tcm_known),
	KUNIT_CASE(tmf_to_tcm_unknown),
	KUNIT_CASE(tmr_rsp_complete),
	KUNIT_CASE(tmr_rsp_not_supported),
	KUNIT_CASE(tmr_rsp_failed),
	{}
};

static struct kunit_suite srpt_rsp_suite = {
	.name = "ib_srpt_rsp",
	.test_cases = srpt_rsp_cases,
};

/* ---------------------------------------------------------------------
 * Node ACL and target port names
 */

/* The service GUID as bytes 8..15 of a 16-byte ID. */
static const u8 kt_guid_id[16] = {
	0, 0, 0, 0, 0, 0, 0, 0,
	0x00, 0x02, 0xc9, 0x03, 0x00, 0xa0, 0xb1, 0xc1,
};

/* A port GID: fe80::2:c903:a0:b1c1. */
static const u8 kt_gid[16] = {
	0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x02, 0xc9, 0x03, 0x00, 0xa0, 0xb1, 0xc1,
};

static struct srpt_node_acl *kt_acl_ok(struct kunit *test, const char *name,
				       int kind)
{
	struct srpt_node_acl *acl = kunit_kzalloc(test, sizeof(*acl),
						  GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, acl);
	memset(acl->id, 0xa5, sizeof(acl->id));
	acl->kind = -1;
	KUNIT_ASSERT_EQ_MSG(test, srpt_parse_acl_name(name, acl), 0,
			    "\"%s\"", name);
	KUNIT_EXPECT_EQ_MSG(test, acl->kind, kind, "\"%s\"", name);
	return acl;
}

static void kt_acl_id(struct kunit *test, const char *name, int kind,
		      const u8 *id)
{
	struct srpt_node_acl *acl = kt_acl_ok(test, name, kind);

	KUNIT_EXPECT_MEMEQ_MSG(test, acl->id, id, 16, "\"%s\"", name);
}

static void kt_acl_ip(struct kunit *test, const char *name, int family,
		      const u8 *addr)
{
	struct srpt_node_acl *acl = kt_acl_ok(test, name, SRPT_ACL_IP);
	const struct sockaddr_in6 *s6 = (const void *)&acl->addr;
	const struct sockaddr_in *s4 = (const void *)&acl->addr;

	KUNIT_ASSERT_EQ_MSG(test, acl->addr.ss_family, family, "\"%s\"",
			    name);
	if (family == AF_INET)
		KUNIT_EXPECT_MEMEQ_MSG(test, &s4->sin_addr, addr, 4, "\"%s\"",
				       name);
	else
		KUNIT_EXPECT_MEMEQ_MSG(test, &s6->sin6_addr, addr, 16,
				       "\"%s\"", name);
}

static void kt_acl_bad(struct kunit *test, const char *const *names,
		       size_t n)
{
	struct srpt_node_acl *acl = kunit_kzalloc(test, sizeof(*acl),
						  GFP_KERNEL);
	size_t i;

	KUNIT_ASSERT_NOT_NULL(test, acl);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ_MSG(test, srpt_parse_acl_name(names[i], acl),
				    -EINVAL, "\"%s\"", names[i]);
}

static void acl_guid(struct kunit *test)
{
	kt_acl_id(test, "0002:c903:00a0:b1c1", SRPT_ACL_GUID, kt_guid_id);
}

static void acl_guid_short_groups(struct kunit *test)
{
	static const u8 id[16] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x01, 0x00, 0x23, 0x04, 0x56,
		0x00, 0x00,
	};

	kt_acl_id(test, "2:c903:a0:b1c1", SRPT_ACL_GUID, kt_guid_id);
	kt_acl_id(test, "1:23:456:0", SRPT_ACL_GUID, id);
}

static void acl_guid_upper_case(struct kunit *test)
{
	kt_acl_id(test, "0002:C903:00A0:B1C1", SRPT_ACL_GUID, kt_guid_id);
}

static void acl_port_id_full(struct kunit *test)
{
	static const u8 id[16] = {
		0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10,
		0x00, 0x02, 0xc9, 0x03, 0x00, 0x11, 0x22, 0x33,
	};

	kt_acl_id(test, "0xfedcba98765432100002c90300112233",
		  SRPT_ACL_PORT_ID, id);
	kt_acl_id(test, "FEDCBA98765432100002C90300112233",
		  SRPT_ACL_PORT_ID, id);
}

static void acl_port_id_right_aligned(struct kunit *test)
{
	static const u8 id[16] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x02,
	};

	kt_acl_id(test, "0x0102", SRPT_ACL_PORT_ID, id);
	kt_acl_id(test, "0X0102", SRPT_ACL_PORT_ID, id);
	kt_acl_id(test, "0102", SRPT_ACL_PORT_ID, id);
	kt_acl_id(test, "0x00000000000102", SRPT_ACL_PORT_ID, id);
}

static void acl_guid_and_port_id_agree(struct kunit *test)
{
	/* Same bytes, different kinds: a GUID matches any extension. */
	kt_acl_id(test, "0x0002c90300a0b1c1", SRPT_ACL_PORT_ID, kt_guid_id);
	kt_acl_id(test, "0002:c903:00a0:b1c1", SRPT_ACL_GUID, kt_guid_id);
}

static void acl_ipv4(struct kunit *test)
{
	static const u8 a[4] = { 192, 168, 1, 20 };
	static const u8 zero[4] = {};

	kt_acl_ip(test, "192.168.1.20", AF_INET, a);
	kt_acl_ip(test, "0.0.0.0", AF_INET, zero);
}

static void acl_ipv6_spellings(struct kunit *test)
{
	static const char *const names[] = {
		"fe80::2:c903:a0:b1c1", "FE80:0:0:0:2:C903:A0:B1C1",
		"fe80:0000:0000:0000:0002:c903:00a0:b1c1",
		"fe80:0::0:2:c903:a0:b1c1",
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		kt_acl_ip(test, names[i], AF_INET6, kt_gid);
}

static void acl_ipv6_short(struct kunit *test)
{
	static const u8 lo[16] = { [15] = 1 };
	static const u8 any[16] = {};

	kt_acl_ip(test, "::1", AF_INET6, lo);
	kt_acl_ip(test, "::", AF_INET6, any);
}

static void acl_ipv4_mapped(struct kunit *test)
{
	/* ::ffff:a.b.c.d is stored as a plain IPv4 address. */
	static const char *const names[] = {
		"::ffff:10.1.2.3", "::FFFF:10.1.2.3", "::ffff:a01:203",
		"0:0:0:0:0:ffff:0a01:0203",
	};
	static const u8 a[4] = { 10, 1, 2, 3 };
	struct sockaddr_storage exp = {};
	struct sockaddr_in *s4 = (void *)&exp;
	int i;

	s4->sin_family = AF_INET;
	memcpy(&s4->sin_addr, a, 4);
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		struct srpt_node_acl *acl = kt_acl_ok(test, names[i],
						      SRPT_ACL_IP);

		/* No byte of the IPv6 address is left behind. */
		KUNIT_EXPECT_MEMEQ_MSG(test, &acl->addr, &exp, sizeof(exp),
				       "\"%s\"", names[i]);
	}
}

static void acl_ipv4_compatible(struct kunit *test)
{
	/* ::a.b.c.d and ::ffff:0:a.b.c.d are not IPv4-mapped. */
	static const u8 compat[16] = { [12] = 10, 1, 2, 3 };
	static const u8 xlat[16] = { [8] = 0xff, 0xff, [12] = 10, 1, 2, 3 };

	kt_acl_ip(test, "::10.1.2.3", AF_INET6, compat);
	kt_acl_ip(test, "::ffff:0:10.1.2.3", AF_INET6, xlat);
}

static void acl_bad_hex(struct kunit *test)
{
	static const char *const names[] = {
		"", "0x", "0X", "1", "0x123", "0x12zz", "12 34", "0x0x12",
		"0x000102030405060708090a0b0c0d0e0f00",
		"000102030405060708090a0b0c0d0e0f00",
		"-0102", "0x0102\n",
	};

	kt_acl_bad(test, names, ARRAY_SIZE(names));
}

static void acl_bad_guid(struct kunit *test)
{
	static const char *const names[] = {
		"00002:c903:00a0:b1c1", "0002:c903:00a0", "0002:c903:00a0:",
		"0002:c903:00a0:b1c1:", "0002:c903:00a0:b1c1x",
		"0002::00a0:b1c1x", ":c903:00a0:b1c1", "0002:c903:00g0:b1c1",
		"0x0002:c903:00a0:b1c1",
	};

	kt_acl_bad(test, names, ARRAY_SIZE(names));
}

static void acl_bad_ip(struct kunit *test)
{
	static const char *const names[] = {
		"256.1.1.1", "1.2.3", "1.2.3.4.5", "1.2.3.4 ", "1.2.3.4/24",
		"1::2::3", "fe80::1%eth0", "12345::1", "1:2:3:4:5:6:7:8:9",
		"::ffff:1.2.3.256", "localhost",
	};

	kt_acl_bad(test, names, ARRAY_SIZE(names));
}

static void kt_port_ok(struct kunit *test, const char *name, bool guid,
		       const u8 *gid)
{
	bool is_guid = !guid;
	u8 g[16];

	memset(g, 0xa5, sizeof(g));
	KUNIT_ASSERT_EQ_MSG(test, srpt_parse_port_name(name, g, &is_guid), 0,
			    "\"%s\"", name);
	KUNIT_EXPECT_EQ_MSG(test, is_guid, guid, "\"%s\"", name);
	KUNIT_EXPECT_MEMEQ_MSG(test, g, gid, 16, "\"%s\"", name);
}

static void port_guid(struct kunit *test)
{
	kt_port_ok(test, "0002:c903:00a0:b1c1", true, kt_guid_id);
	kt_port_ok(test, "2:C903:A0:B1C1", true, kt_guid_id);
}

static void port_gid_hex(struct kunit *test)
{
	kt_port_ok(test, "0xfe800000000000000002c90300a0b1c1", false, kt_gid);
	kt_port_ok(test, "0XFE800000000000000002C90300A0B1C1", false, kt_gid);
}

static void port_gid_bare_hex(struct kunit *test)
{
	kt_port_ok(test, "fe800000000000000002c90300a0b1c1", false, kt_gid);
}

static void port_gid_ipv6(struct kunit *test)
{
	kt_port_ok(test, "fe80::2:c903:a0:b1c1", false, kt_gid);
	kt_port_ok(test, "fe80:0:0:0:2:c903:a0:b1c1", false, kt_gid);
}

static void port_bad(struct kunit *test)
{
	static const char *const names[] = {
		"", "0x", "0x0002c90300a0b1c1", "0002c90300a0b1c1",
		"0xfe800000000000000002c90300a0b1",
		"fe800000000000000002c90300a0b1c100",
		"0xfe800000000000000002c90300a0b1c1x", "192.168.1.20",
		"0002:c903:00a0:b1c1x", "fe80::1::2", "fe80::2:c903:a0:b1c1 ",
		"0xfe800000000000000002c90300a0b1zz", "srpt",
	};
	bool guid;
	u8 gid[16];
	int i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		KUNIT_EXPECT_EQ_MSG(test,
				    srpt_parse_port_name(names[i], gid, &guid),
				    -EINVAL, "\"%s\"", names[i]);
}

static struct kunit_case srpt_names_cases[] = {
	KUNIT_CASE(acl_guid),
	KUNIT_CASE(acl_guid_short_groups),
	KUNIT_CASE(acl_guid_upper_case),
	KUNIT_CASE(acl_port_id_full),
	KUNIT_CASE(acl_port_id_right_aligned),
	KUNIT_CASE(acl_guid_and_port_id_agree),
	KUNIT_CASE(acl_ipv4),
	KUNIT_CASE(acl_ipv6_spellings),
	KUNIT_CASE(acl_ipv6_short),
	KUNIT_CASE(acl_ipv4_mapped),
	KUNIT_CASE(acl_ipv4_compatible),
	KUNIT_CASE(acl_bad_hex),
	KUNIT_CASE(acl_bad_guid),
	KUNIT_CASE(acl_bad_ip),
	KUNIT_CASE(port_guid),
	KUNIT_CASE(port_gid_hex),
	KUNIT_CASE(port_gid_bare_hex),
	KUNIT_CASE(port_gid_ipv6),
	KUNIT_CASE(port_bad),
	{}
};

static struct kunit_suite srpt_names_suite = {
	.name = "ib_srpt_names",
	.test_cases = srpt_names_cases,
};

/* ---------------------------------------------------------------------
 * Node ACL matching and initiator address names
 */

/* A node ACL name for kt_iport, as a port ID and as a GUID. */
#define KT_IPORT_NAME	"0x00000000000000010002c90300112233"
#define KT_IGUID_NAME	"0002:c903:0011:2233"

/* An RDMA/CM initiator address; family 0: an IB/CM login, none. */
struct kt_addr {
	sa_family_t family;
	u16 port;
	u8 ip[16];
};

static const struct sockaddr *kt_sockaddr(struct sockaddr_storage *ss,
					  const struct kt_addr *a)
{
	struct sockaddr_in6 *s6 = (void *)ss;
	struct sockaddr_in *s4 = (void *)ss;

	memset(ss, 0, sizeof(*ss));
	switch (a->family) {
	case AF_INET:
		s4->sin_family = AF_INET;
		s4->sin_port = htons(a->port);
		memcpy(&s4->sin_addr, a->ip, 4);
		break;
	case AF_INET6:
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(a->port);
		memcpy(&s6->sin6_addr, a->ip, 16);
		break;
	default:
		return NULL;
	}
	return (const void *)ss;
}

static const struct kt_addr kt_ib_cm = {};
static const struct kt_addr kt_v4 = { AF_INET, 0, { 10, 1, 2, 3 } };
static const struct kt_addr kt_v6 = {
	AF_INET6, 0, { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x02 },
};

/*
 * The ACL named @name matches kt_iport from @a. Changing any one byte
 * of the port ID from byte @first on makes it another initiator, which
 * it does not match; changing an earlier byte does not.
 */
static void kt_expect_id_bytes(struct kunit *test, const char *name,
			       int kind, int first, const struct kt_addr *a)
{
	struct srpt_node_acl *acl = kt_acl_ok(test, name, kind);
	struct sockaddr_storage ss;
	const struct sockaddr *sa = kt_sockaddr(&ss, a);
	u8 id[16];
	int i;

	KUNIT_EXPECT_TRUE_MSG(test, srpt_acl_matches(acl, kt_iport, sa),
			      "\"%s\"", name);
	for (i = 0; i < 16; i++) {
		memcpy(id, kt_iport, 16);
		id[i] ^= 0x80;
		KUNIT_EXPECT_EQ_MSG(test, srpt_acl_matches(acl, id, sa),
				    i < first, "\"%s\", byte %d changed", name,
				    i);
	}
}

static void match_port_id(struct kunit *test)
{
	kt_expect_id_bytes(test, KT_IPORT_NAME, SRPT_ACL_PORT_ID, 0,
			   &kt_ib_cm);
}

static void match_port_id_rdma_cm(struct kunit *test)
{
	/* An RDMA/CM login carries a port ID too. */
	kt_expect_id_bytes(test, KT_IPORT_NAME, SRPT_ACL_PORT_ID, 0, &kt_v4);
	kt_expect_id_bytes(test, KT_IPORT_NAME, SRPT_ACL_PORT_ID, 0, &kt_v6);
}

static void match_guid(struct kunit *test)
{
	/* A GUID names the initiator port whatever its extension. */
	kt_expect_id_bytes(test, KT_IGUID_NAME, SRPT_ACL_GUID, 8, &kt_ib_cm);
}

static void match_guid_rdma_cm(struct kunit *test)
{
	kt_expect_id_bytes(test, KT_IGUID_NAME, SRPT_ACL_GUID, 8, &kt_v4);
	kt_expect_id_bytes(test, KT_IGUID_NAME, SRPT_ACL_GUID, 8, &kt_v6);
}

static void match_guid_not_extension(struct kunit *test)
{
	static const u8 ext_ff[16] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0x00, 0x02, 0xc9, 0x03, 0x00, 0x11, 0x22, 0x33,
	};
	struct srpt_node_acl *acl;

	acl = kt_acl_ok(test, KT_IGUID_NAME, SRPT_ACL_GUID);
	KUNIT_EXPECT_TRUE(test, srpt_acl_matches(acl, ext_ff, NULL));
	/* The target's GUID in bytes 8..15: another port. */
	KUNIT_EXPECT_FALSE(test, srpt_acl_matches(acl, kt_guid_id, NULL));
	/* kt_iport's extension (bytes 0..7) as a GUID is another port. */
	acl = kt_acl_ok(test, "0000:0000:0000:0001", SRPT_ACL_GUID);
	KUNIT_EXPECT_FALSE(test, srpt_acl_matches(acl, kt_iport, NULL));
}

/* An initiator address and whether the ACL under test names it. */
struct kt_match {
	const char *what;
	struct kt_addr a;
	bool match;
};

static void kt_expect_matches(struct kunit *test, const char *name,
			      const struct kt_match *m, size_t n)
{
	struct srpt_node_acl *acl = kt_acl_ok(test, name, SRPT_ACL_IP);
	struct sockaddr_storage ss;
	size_t i;

	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ_MSG(test,
				    srpt_acl_matches(acl, kt_iport,
						     kt_sockaddr(&ss, &m[i].a)),
				    m[i].match, "\"%s\" and %s", name,
				    m[i].what);
}

/* A port ID ACL whose 16 bytes spell an address, and a login. */
struct kt_id_addr_case {
	const char *acl;
	struct kt_addr a;	/* family 0: an IB/CM login */
	bool match;
};

static const struct kt_id_addr_case kt_id_addr_cases[] = {
	{ "0x00000000000000000000ffff0a010203",
	  { AF_INET, 0, { 10, 1, 2, 3 } }, true },
	{ "0x00000000000000000000ffff0a010203",
	  { AF_INET6, 0, { [10] = 0xff, 0xff, 10, 1, 2, 3 } }, true },
	{ "0x00000000000000000000ffff0a010203",
	  { AF_INET, 0, { 10, 1, 2, 4 } }, false },
	{ "0x00000000000000000000ffff0a010203", { 0 }, false },
	{ "0x00000000000000000000ffff0a010203",
	  { AF_INET6, 0, { [12] = 10, 1, 2, 3 } }, false },
	{ "0x20010db8000000000000000000000002",
	  { AF_INET6, 0, { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 } }, true },
	{ "0x20010db8000000000000000000000002",
	  { AF_INET6, 0, { 0x20, 0x01, 0x0d, 0xb8, [15] = 3 } }, false },
	{ "0x20010db8000000000000000000000002",
	  { AF_INET, 0, { 0, 0, 0, 2 } }, false },
	/* All zeroes is no address, not even "::". */
	{ "0x00000000000000000000000000000000", { AF_INET6 }, false },
	{ "0x00000000000000000000000000000000", { AF_INET }, false },
};

static void kt_id_addr_desc(const struct kt_id_addr_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s family %u %s", c->acl,
		 c->a.family, c->match ? "matches" : "does not match");
}

KUNIT_ARRAY_PARAM(kt_id_addr, kt_id_addr_cases, kt_id_addr_desc);

static void match_port_id_as_address(struct kunit *test)
{
	const struct kt_id_addr_case *c = test->param_value;
	struct srpt_node_acl *acl = kt_acl_ok(test, c->acl, SRPT_ACL_PORT_ID);
	struct sockaddr_storage ss;
	const struct sockaddr *sa = c->a.family ? kt_sockaddr(&ss, &c->a) :
						  NULL;

	KUNIT_EXPECT_EQ(test, srpt_acl_matches(acl, kt_iport, sa), c->match);
	/* Its own port ID still matches, with or without an address. */
	KUNIT_EXPECT_TRUE(test, srpt_acl_matches(acl, acl->id, sa));
}

static void match_ip_ib_cm(struct kunit *test)
{
	/* IB/CM logins have no address; an IP ACL's port ID is zero. */
	static const char *const names[] = {
		"10.1.2.3", "0.0.0.0", "2001:db8::2", "::", "::ffff:10.1.2.3",
	};
	static const u8 zero[16];
	int i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		struct srpt_node_acl *acl = kt_acl_ok(test, names[i],
						      SRPT_ACL_IP);

		KUNIT_EXPECT_FALSE_MSG(test,
				       srpt_acl_matches(acl, kt_iport, NULL),
				       "\"%s\"", names[i]);
		KUNIT_EXPECT_FALSE_MSG(test, srpt_acl_matches(acl, zero, NULL),
				       "\"%s\"", names[i]);
	}
}

static void match_ipv4(struct kunit *test)
{
	static const struct kt_match m[] = {
		{ "10.1.2.3", { AF_INET, 0, { 10, 1, 2, 3 } }, true },
		{ "10.1.2.4", { AF_INET, 0, { 10, 1, 2, 4 } }, false },
		{ "11.1.2.3", { AF_INET, 0, { 11, 1, 2, 3 } }, false },
		{ "3.2.1.10", { AF_INET, 0, { 3, 2, 1, 10 } }, false },
		{ "0.0.0.0", { AF_INET }, false },
	};

	kt_expect_matches(test, "10.1.2.3", m, ARRAY_SIZE(m));
}

static void match_ipv4_from_ipv6(struct kunit *test)
{
	/* Only an IPv4-mapped IPv6 address stands for an IPv4 one. */
	static const struct kt_match m[] = {
		{ "::ffff:10.1.2.3",
		  { AF_INET6, 0, { [10] = 0xff, 0xff, 10, 1, 2, 3 } }, true },
		{ "::ffff:10.1.2.4",
		  { AF_INET6, 0, { [10] = 0xff, 0xff, 10, 1, 2, 4 } }, false },
		{ "::10.1.2.3", { AF_INET6, 0, { [12] = 10, 1, 2, 3 } }, false },
		{ "::ffff:0:10.1.2.3",
		  { AF_INET6, 0, { [8] = 0xff, 0xff, [12] = 10, 1, 2, 3 } },
		  false },
		{ "1::ffff:10.1.2.3",
		  { AF_INET6, 0, { [1] = 1, [10] = 0xff, 0xff, 10, 1, 2, 3 } },
		  false },
		{ "a01:203::", { AF_INET6, 0, { 10, 1, 2, 3 } }, false },
	};

	kt_expect_matches(test, "10.1.2.3", m, ARRAY_SIZE(m));
}

static void match_ipv6(struct kunit *test)
{
	static const struct kt_match m[] = {
		{ "2001:db8::2",
		  { AF_INET6, 0, { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 } }, true },
		{ "2001:db8::3",
		  { AF_INET6, 0, { 0x20, 0x01, 0x0d, 0xb8, [15] = 3 } },
		  false },
		{ "3001:db8::2",
		  { AF_INET6, 0, { 0x30, 0x01, 0x0d, 0xb8, [15] = 2 } },
		  false },
		{ "2001:db8:0:1::2",
		  { AF_INET6, 0, { 0x20, 0x01, 0x0d, 0xb8, [7] = 1, [15] = 2 } },
		  false },
		{ "::ffff:0.0.0.2",
		  { AF_INET6, 0, { [10] = 0xff, 0xff, [15] = 2 } }, false },
	};

	kt_expect_matches(test, "2001:db8::2", m, ARRAY_SIZE(m));
}

static void match_ipv6_vs_ipv4(struct kunit *test)
{
	/* IPv4 initiators whose 4 bytes equal part of the ACL's. */
	static const struct kt_match m[] = {
		{ "0.0.0.2", { AF_INET, 0, { 0, 0, 0, 2 } }, false },
		{ "32.1.13.184", { AF_INET, 0, { 0x20, 0x01, 0x0d, 0xb8 } },
		  false },
		{ "0.0.0.0", { AF_INET }, false },
	};

	kt_expect_matches(test, "2001:db8::2", m, ARRAY_SIZE(m));
	kt_expect_matches(test, "::", m + 2, 1);
}

static void match_ipv4_mapped_name(struct kunit *test)
{
	static const struct kt_match m[] = {
		{ "10.1.2.3", { AF_INET, 0, { 10, 1, 2, 3 } }, true },
		{ "::ffff:10.1.2.3",
		  { AF_INET6, 0, { [10] = 0xff, 0xff, 10, 1, 2, 3 } }, true },
		{ "10.1.2.4", { AF_INET, 0, { 10, 1, 2, 4 } }, false },
		{ "::10.1.2.3", { AF_INET6, 0, { [12] = 10, 1, 2, 3 } }, false },
	};

	kt_expect_matches(test, "::ffff:10.1.2.3", m, ARRAY_SIZE(m));
}

static void match_ignores_port(struct kunit *test)
{
	/* An ACL names a host, whatever source port it connects from. */
	static const struct kt_match m4[] = {
		{ "10.1.2.3:4000", { AF_INET, 4000, { 10, 1, 2, 3 } }, true },
		{ "[::ffff:10.1.2.3]:65535",
		  { AF_INET6, 65535, { [10] = 0xff, 0xff, 10, 1, 2, 3 } },
		  true },
	};
	static const struct kt_match m6[] = {
		{ "[2001:db8::2]:1",
		  { AF_INET6, 1, { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 } }, true },
	};

	kt_expect_matches(test, "10.1.2.3", m4, ARRAY_SIZE(m4));
	kt_expect_matches(test, "2001:db8::2", m6, ARRAY_SIZE(m6));
}

/* An initiator address, a buffer size (0: 64) and its name. */
struct kt_fmt {
	struct kt_addr a;
	u32 size;
	const char *text;
};

static void kt_expect_formats(struct kunit *test, const struct kt_fmt *f,
			      size_t n)
{
	struct sockaddr_storage ss;
	size_t i;

	for (i = 0; i < n; i++) {
		u32 size = f[i].size ?: 64;
		char *buf = (char *)kt_guarded(test, size);

		srpt_format_addr(buf, size, kt_sockaddr(&ss, &f[i].a));
		KUNIT_EXPECT_STREQ(test, buf, f[i].text);
		kt_expect_guard(test, (u8 *)buf, size);
	}
}

static void format_ipv4(struct kunit *test)
{
	static const struct kt_fmt f[] = {
		{ { AF_INET, 0, { 192, 168, 1, 20 } }, 0, "192.168.1.20" },
		{ { AF_INET, 0, { 0, 0, 0, 0 } }, 0, "0.0.0.0" },
		{ { AF_INET, 0, { 255, 255, 255, 255 } }, 0,
		  "255.255.255.255" },
		/* The source port is not part of the name. */
		{ { AF_INET, 4000, { 10, 0, 0, 1 } }, 0, "10.0.0.1" },
	};

	kt_expect_formats(test, f, ARRAY_SIZE(f));
}

static void format_ipv6(struct kunit *test)
{
	/* Eight groups of four hex digits, nothing left out. */
	static const struct kt_fmt f[] = {
		{ { AF_INET6, 0, { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 } }, 0,
		  "2001:0db8:0000:0000:0000:0000:0000:0002" },
		{ { AF_INET6 }, 0, "0000:0000:0000:0000:0000:0000:0000:0000" },
		{ { AF_INET6, 0, { [15] = 1 } }, 0,
		  "0000:0000:0000:0000:0000:0000:0000:0001" },
		{ { AF_INET6, 4000, { [0] = 0x01, [2] = 0x10, [4] = 0x01,
				      [15] = 0x10 } }, 0,
		  "0100:1000:0100:0000:0000:0000:0000:0010" },
	};

	kt_expect_formats(test, f, ARRAY_SIZE(f));
}

static void format_ipv6_lower_case(struct kunit *test)
{
	static const struct kt_fmt f[] = {
		{ { AF_INET6, 0, { 0xfe, 0x80, [8] = 0x00, 0x02, 0xc9, 0x03,
				   0x00, 0xa0, 0xb1, 0xc1 } }, 0,
		  "fe80:0000:0000:0000:0002:c903:00a0:b1c1" },
		{ { AF_INET6, 0, { 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67,
				   0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45,
				   0x67, 0x89 } }, 0,
		  "abcd:ef01:2345:6789:abcd:ef01:2345:6789" },
	};

	kt_expect_formats(test, f, ARRAY_SIZE(f));
}

static void format_ipv4_mapped(struct kunit *test)
{
	static const struct kt_fmt f[] = {
		{ { AF_INET6, 0, { [10] = 0xff, 0xff, 10, 1, 2, 3 } }, 0,
		  "10.1.2.3" },
		{ { AF_INET6, 0, { [10] = 0xff, 0xff, 0, 0, 0, 0 } }, 0,
		  "0.0.0.0" },
		{ { AF_INET6, 0, { [10] = 0xff, 0xff, 255, 255, 255, 255 } },
		  0, "255.255.255.255" },
	};

	kt_expect_formats(test, f, ARRAY_SIZE(f));
}

static void format_ipv6_not_mapped(struct kunit *test)
{
	static const struct kt_fmt f[] = {
		{ { AF_INET6, 0, { [12] = 10, 1, 2, 3 } }, 0,
		  "0000:0000:0000:0000:0000:0000:0a01:0203" },
		{ { AF_INET6, 0, { [8] = 0xff, 0xff, [12] = 10, 1, 2, 3 } }, 0,
		  "0000:0000:0000:0000:ffff:0000:0a01:0203" },
		{ { AF_INET6, 0, { [9] = 1, 0xff, 0xff, 10, 1, 2, 3 } }, 0,
		  "0000:0000:0000:0000:0001:ffff:0a01:0203" },
		{ { AF_INET6, 0, { [10] = 0xff, 0xfe, 10, 1, 2, 3 } }, 0,
		  "0000:0000:0000:0000:0000:fffe:0a01:0203" },
	};

	kt_expect_formats(test, f, ARRAY_SIZE(f));
}

static void format_truncated(struct kunit *test)
{
	/* Cut to the buffer, always terminated, nothing written past it. */
	static const struct kt_fmt f[] = {
		{ { AF_INET, 0, { 192, 168, 1, 20 } }, 13, "192.168.1.20" },
		{ { AF_INET, 0, { 192, 168, 1, 20 } }, 12, "192.168.1.2" },
		{ { AF_INET, 0, { 192, 168, 1, 20 } }, 8, "192.168" },
		{ { AF_INET, 0, { 192, 168, 1, 20 } }, 1, "" },
		{ { AF_INET6, 0, { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 } }, 40,
		  "2001:0db8:0000:0000:0000:0000:0000:0002" },
		{ { AF_INET6, 0, { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 } }, 39,
		  "2001:0db8:0000:0000:0000:0000:0000:000" },
		{ { AF_INET6, 0, { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 } }, 10,
		  "2001:0db8" },
		{ { AF_INET6, 0, { [10] = 0xff, 0xff, 10, 1, 2, 3 } }, 9,
		  "10.1.2.3" },
		{ { AF_INET6, 0, { [10] = 0xff, 0xff, 10, 1, 2, 3 } }, 5,
		  "10.1" },
	};

	kt_expect_formats(test, f, ARRAY_SIZE(f));
}

static struct kunit_case srpt_acl_cases[] = {
	KUNIT_CASE(match_port_id),
	KUNIT_CASE(match_port_id_rdma_cm),
	KUNIT_CASE(match_guid),
	KUNIT_CASE(match_guid_rdma_cm),
	KUNIT_CASE(match_guid_not_extension),
	KUNIT_CASE_PARAM(match_port_id_as_address, kt_id_addr_gen_params),
	KUNIT_CASE(match_ip_ib_cm),
	KUNIT_CASE(match_ipv4),
	KUNIT_CASE(match_ipv4_from_ipv6),
	KUNIT_CASE(match_ipv6),
	KUNIT_CASE(match_ipv6_vs_ipv4),
	KUNIT_CASE(match_ipv4_mapped_name),
	KUNIT_CASE(match_ignores_port),
	KUNIT_CASE(format_ipv4),
	KUNIT_CASE(format_ipv6),
	KUNIT_CASE(format_ipv6_lower_case),
	KUNIT_CASE(format_ipv4_mapped),
	KUNIT_CASE(format_ipv6_not_mapped),
	KUNIT_CASE(format_truncated),
	{}
};

static struct kunit_suite srpt_acl_suite = {
	.name = "ib_srpt_acl",
	.test_cases = srpt_acl_cases,
};

/* ---------------------------------------------------------------------
 * Numeric configfs attributes
 */

/* Text written to an attribute, its range, and the outcome. */
struct kt_attr {
	const char *page;
	u32 min;
	u32 max;
	int ret;
	u32 val;
};

static void kt_expect_attrs(struct kunit *test, const struct kt_attr *t,
			    size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		u32 val = 0xa5a5a5a5;

		KUNIT_EXPECT_EQ_MSG(test,
				    srpt_attr_parse(t[i].page, t[i].min,
						    t[i].max, &val),
				    t[i].ret, "\"%*pE\" in %u..%u",
				    (int)strlen(t[i].page), t[i].page,
				    t[i].min, t[i].max);
		if (!t[i].ret)
			KUNIT_EXPECT_EQ_MSG(test, val, t[i].val, "\"%*pE\"",
					    (int)strlen(t[i].page), t[i].page);
	}
}

static void attr_decimal(struct kunit *test)
{
	static const struct kt_attr t[] = {
		{ "4096", 512, 8192, 0, 4096 },
		{ "1000", 0, U32_MAX, 0, 1000 },
		{ "1", 0, 1, 0, 1 },
	};

	kt_expect_attrs(test, t, ARRAY_SIZE(t));
}

static void attr_hex(struct kunit *test)
{
	static const struct kt_attr t[] = {
		{ "0x1000", 512, 8192, 0, 4096 },
		{ "0X1000", 512, 8192, 0, 4096 },
		{ "0x00001000", 512, 8192, 0, 4096 },
		{ "0xABC", 0, U32_MAX, 0, 0xabc },
		{ "0xabc", 0, U32_MAX, 0, 0xabc },
	};

	kt_expect_attrs(test, t, ARRAY_SIZE(t));
}

static void attr_newline(struct kunit *test)
{
	/* What "echo 4096 > attribute" writes. */
	static const struct kt_attr t[] = {
		{ "4096\n", 512, 8192, 0, 4096 },
		{ "0x1000\n", 512, 8192, 0, 4096 },
		{ "0\n", 0, 1, 0, 0 },
	};

	kt_expect_attrs(test, t, ARRAY_SIZE(t));
}

static void attr_bounds(struct kunit *test)
{
	static const struct kt_attr t[] = {
		{ "512", 512, 8192, 0, 512 },
		{ "8192", 512, 8192, 0, 8192 },
		{ "0", 0, 1, 0, 0 },
		{ "1", 0, 1, 0, 1 },
		{ "7", 7, 7, 0, 7 },
		{ "0", 0, U32_MAX, 0, 0 },
		{ "4294967295", 0, U32_MAX, 0, U32_MAX },
		{ "0xffffffff", 0, U32_MAX, 0, U32_MAX },
	};

	kt_expect_attrs(test, t, ARRAY_SIZE(t));
}

static void attr_out_of_range(struct kunit *test)
{
	static const struct kt_attr t[] = {
		{ "511", 512, 8192, -EINVAL }, { "8193", 512, 8192, -EINVAL },
		{ "0x1ff", 512, 8192, -EINVAL },
		{ "0x2001", 512, 8192, -EINVAL },
		{ "0", 512, 8192, -EINVAL }, { "2", 0, 1, -EINVAL },
		{ "6", 7, 7, -EINVAL }, { "8", 7, 7, -EINVAL },
		{ "4294967295", 0, 8192, -EINVAL },
		{ "0", 1, U32_MAX, -EINVAL },
	};

	kt_expect_attrs(test, t, ARRAY_SIZE(t));
}

static void attr_not_a_number(struct kunit *test)
{
	static const struct kt_attr t[] = {
		{ "abc", 0, U32_MAX, -EINVAL }, { "12abc", 0, U32_MAX, -EINVAL },
		{ "4k", 0, U32_MAX, -EINVAL }, { "1.5", 0, U32_MAX, -EINVAL },
		{ "4 096", 0, U32_MAX, -EINVAL },
		{ " 4096", 0, U32_MAX, -EINVAL },
		{ "4096 ", 0, U32_MAX, -EINVAL },
		{ "4096\n\n", 0, U32_MAX, -EINVAL },
		{ "0x", 0, U32_MAX, -EINVAL }, { "0xg", 0, U32_MAX, -EINVAL },
		{ "true", 0, 1, -EINVAL },
	};

	kt_expect_attrs(test, t, ARRAY_SIZE(t));
}

static void attr_negative(struct kunit *test)
{
	/* -1 must not come out as U32_MAX. */
	static const struct kt_attr t[] = {
		{ "-1", 0, U32_MAX, -EINVAL }, { "-1\n", 0, U32_MAX, -EINVAL },
		{ "-4096", 0, U32_MAX, -EINVAL },
		{ "-0x1000", 0, U32_MAX, -EINVAL },
	};

	kt_expect_attrs(test, t, ARRAY_SIZE(t));
}

static void attr_empty(struct kunit *test)
{
	static const struct kt_attr t[] = {
		{ "", 0, U32_MAX, -EINVAL }, { "\n", 0, U32_MAX, -EINVAL },
		{ "", 0, 1, -EINVAL },
	};

	kt_expect_attrs(test, t, ARRAY_SIZE(t));
}

static void attr_overflow(struct kunit *test)
{
	/* Beyond 32 bits: -EINVAL like any bad value, not -ERANGE. */
	static const struct kt_attr t[] = {
		{ "4294967296", 0, U32_MAX, -EINVAL },
		{ "0x100000000", 0, U32_MAX, -EINVAL },
		{ "4294971392", 0, U32_MAX, -EINVAL },	/* 2^32 + 4096 */
		{ "18446744073709551616", 0, U32_MAX, -EINVAL },
		{ "99999999999999999999999", 0, U32_MAX, -EINVAL },
	};

	kt_expect_attrs(test, t, ARRAY_SIZE(t));
}

static struct kunit_case srpt_attr_cases[] = {
	KUNIT_CASE(attr_decimal),
	KUNIT_CASE(attr_hex),
	KUNIT_CASE(attr_newline),
	KUNIT_CASE(attr_bounds),
	KUNIT_CASE(attr_out_of_range),
	KUNIT_CASE(attr_not_a_number),
	KUNIT_CASE(attr_negative),
	KUNIT_CASE(attr_empty),
	KUNIT_CASE(attr_overflow),
	{}
};

static struct kunit_suite srpt_attr_suite = {
	.name = "ib_srpt_attr",
	.test_cases = srpt_attr_cases,
};

/* ---------------------------------------------------------------------
 * Device management MADs
 */

/* MAD status (IBA 13.4.7): the "invalid field" code is in bits 4..2. */
#define KT_ST_OK		0x0000
#define KT_ST_BAD_METHOD	0x0008	/* method not supported */
#define KT_ST_BAD_ATTR		0x000c	/* method/attribute combination */
#define KT_ST_BAD_VALUE		0x001c	/* attribute/modifier invalid */
#define KT_ST_NO_IOC		0x0100	/* DM class: no IOC in the slot */

/* Methods (IBA 13.4.5) and attributes (IBA 16.3.3). */
#define KT_GET			0x01
#define KT_SET			0x02
#define KT_CLASS_PORT_INFO	0x0001
#define KT_IOU_INFO		0x0010
#define KT_IOC_PROFILE		0x0011
#define KT_SVC_ENTRIES		0x0012

static const u8 kt_tid[8] = { 0x00, 0x00, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab };

struct kt_dm {
	u8 in[256];
	u8 out[256];
	struct ib_device_attr attrs;
	u32 rdma_size;
};

static int kt_dm_init(struct kunit *test)
{
	struct kt_dm *dm = kunit_kzalloc(test, sizeof(*dm), GFP_KERNEL);

	if (!dm)
		return -ENOMEM;
	dm->attrs.vendor_id = 0x0002c9;
	dm->attrs.vendor_part_id = 0x1017;
	dm->attrs.hw_ver = 0x1a;
	dm->rdma_size = 0x00100000;
	test->priv = dm;
	return 0;
}

/*
 * Send a device management request (common MAD header, IBA 13.4.2: base
 * version 1, class 0x06, class version 1, method, TID at 8, attribute ID
 * at 16, modifier at 20) and check what every answer carries: GetResp
 * (0x81), the request's TID and attribute, the returned status in bytes
 * 4..5 and a zero reserved area. Returns the status; the attribute data
 * is at dm->out + 64.
 */
static u16 kt_dm(struct kunit *test, u8 method, u16 attr, u32 mod)
{
	struct kt_dm *dm = test->priv;
	u8 *in = dm->in, *out = dm->out;
	u16 status;

	memset(in, 0, sizeof(dm->in));
	in[0] = 1;
	in[1] = 0x06;
	in[2] = 1;
	in[3] = method;
	memcpy(in + 8, kt_tid, 8);
	put_unaligned_be16(attr, in + 16);
	put_unaligned_be32(mod, in + 20);
	memset(out, 0xa5, sizeof(dm->out));
	status = srpt_dm_build((void *)in, (void *)out, &dm->attrs, "mlx5_0",
			       KT_GUID, KT_MAX_REQ, dm->rdma_size);
	KUNIT_EXPECT_EQ(test, out[0], 1);
	KUNIT_EXPECT_EQ(test, out[1], 0x06);
	KUNIT_EXPECT_EQ(test, out[2], 1);
	KUNIT_EXPECT_EQ(test, out[3], 0x81);
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(out + 4), status);
	KUNIT_EXPECT_MEMEQ(test, out + 8, kt_tid, 8);
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(out + 16), attr);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(out + 20), mod);
	kt_expect_zero(test, out, 24, 40);
	return status;
}

/* An error answer: @status and no attribute data. */
static void kt_dm_err(struct kunit *test, u8 method, u16 attr, u32 mod,
		      u16 status)
{
	struct kt_dm *dm = test->priv;

	KUNIT_EXPECT_EQ_MSG(test, kt_dm(test, method, attr, mod), status,
			    "method %#x attribute %#x modifier %#x", method,
			    attr, mod);
	kt_expect_zero(test, dm->out, 64, 192);
}

static void dm_class_port_info(struct kunit *test)
{
	struct kt_dm *dm = test->priv;
	const u8 *d = dm->out + 64;

	KUNIT_ASSERT_EQ(test, kt_dm(test, KT_GET, KT_CLASS_PORT_INFO, 0),
			KT_ST_OK);
	KUNIT_EXPECT_EQ(test, d[0], 1);		/* base version */
	KUNIT_EXPECT_EQ(test, d[1], 1);		/* DM class version */
	/* CapabilityMask2 (bits 31..5) zero, RespTimeValue (4..0) set. */
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(d + 4) & ~0x1fU, 0U);
	KUNIT_EXPECT_NE(test, get_unaligned_be32(d + 4) & 0x1fU, 0U);
	/* No redirection, no trap destination. */
	kt_expect_zero(test, d, 8, 192 - 8);
}

static void dm_iou_info(struct kunit *test)
{
	struct kt_dm *dm = test->priv;
	const u8 *d = dm->out + 64;
	u8 exp[192] = {};
	u16 change_id;

	exp[2] = 16;				/* MaxControllers */
	exp[4] = 0x10;				/* slot 1: IOC present */
	KUNIT_ASSERT_EQ(test, kt_dm(test, KT_GET, KT_IOU_INFO, 0), KT_ST_OK);
	change_id = get_unaligned_be16(d);
	memcpy(exp, d, 2);
	KUNIT_EXPECT_MEMEQ(test, d, exp, sizeof(exp));
	/* Nothing changed: the change ID is the same the next time. */
	KUNIT_ASSERT_EQ(test, kt_dm(test, KT_GET, KT_IOU_INFO, 0), KT_ST_OK);
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(d), change_id);
}

/* IOControllerProfile bytes 0..39 for the test HCA (IBA 16.3.3.4). */
static void kt_ioc_ids(u8 *exp)
{
	memcpy(exp, kt_guid_be, 8);		/* IOC GUID */
	exp[8] = 0x00;				/* vendor ID, 24 bits */
	exp[9] = 0x02;
	exp[10] = 0xc9;
	put_unaligned_be32(0x1017, exp + 12);	/* device ID */
	put_unaligned_be16(0x001a, exp + 16);	/* device version */
	memcpy(exp + 20, exp + 8, 4);		/* subsystem vendor ID */
	put_unaligned_be32(0x1017, exp + 24);	/* subsystem ID */
	put_unaligned_be16(0x0100, exp + 28);	/* I/O class: SRP r16a */
	put_unaligned_be16(0x609e, exp + 30);	/* subclass: T10 OUI */
	put_unaligned_be16(0x0108, exp + 32);	/* protocol */
	put_unaligned_be16(0x0001, exp + 34);	/* protocol version */
}

static void dm_ioc_profile(struct kunit *test)
{
	struct kt_dm *dm = test->priv;
	const u8 *d = dm->out + 64;
	u8 exp[40] = {};

	kt_ioc_ids(exp);
	KUNIT_ASSERT_EQ(test, kt_dm(test, KT_GET, KT_IOC_PROFILE, 1),
			KT_ST_OK);
	KUNIT_EXPECT_MEMEQ(test, d, exp, sizeof(exp));
	KUNIT_EXPECT_NE(test, get_unaligned_be16(d + 40), 0);	/* queue */
	KUNIT_EXPECT_EQ(test, d[42], 0);
	KUNIT_EXPECT_NE(test, d[43], 0);	/* RDMA read depth */
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(d + 44), KT_MAX_REQ);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(d + 48), 0x00100000U);
	/* Send to/from IOC, RDMA read and write from IOC. */
	KUNIT_EXPECT_EQ(test, d[52], 0x2b);
	KUNIT_EXPECT_EQ(test, d[53], 0);
	KUNIT_EXPECT_EQ(test, d[54], 1);	/* service entries */
	kt_expect_zero(test, d, 55, 9);
	KUNIT_EXPECT_LT(test, strnlen((const char *)d + 64, 64), 64U);
	KUNIT_EXPECT_NOT_NULL(test, strnstr((const char *)d + 64, "mlx5_0",
					    64));
	kt_expect_zero(test, d, 128, 64);
}

static void dm_ioc_profile_rdma_size(struct kunit *test)
{
	static const u32 sizes[][2] = {
		{ 0x00010000, 0x00010000 }, { KT_16M - 1, KT_16M - 1 },
		{ KT_16M, KT_16M }, { KT_16M + 1, KT_16M },
		{ 0x02000000, KT_16M }, { 0xffffffff, KT_16M },
	};
	struct kt_dm *dm = test->priv;
	int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		dm->rdma_size = sizes[i][0];
		KUNIT_ASSERT_EQ(test, kt_dm(test, KT_GET, KT_IOC_PROFILE, 1),
				KT_ST_OK);
		KUNIT_EXPECT_EQ_MSG(test, get_unaligned_be32(dm->out + 64 + 48),
				    sizes[i][1], "rdma_size %#x", sizes[i][0]);
	}
}

static void dm_ioc_profile_empty_slots(struct kunit *test)
{
	u32 slot;

	for (slot = 2; slot <= 16; slot++)
		kt_dm_err(test, KT_GET, KT_IOC_PROFILE, slot, KT_ST_NO_IOC);
}

static void dm_ioc_profile_bad_slots(struct kunit *test)
{
	static const u32 mods[] = { 0, 17, 255, 0x00010001, 0xffffffff };
	int i;

	for (i = 0; i < ARRAY_SIZE(mods); i++)
		kt_dm_err(test, KT_GET, KT_IOC_PROFILE, mods[i],
			  KT_ST_BAD_VALUE);
}

static void dm_svc_entry(struct kunit *test)
{
	struct kt_dm *dm = test->priv;
	u8 exp[192] = {};

	memcpy(exp, "SRP.T10:0002c90300a0b1c1", 24);
	memcpy(exp + 40, kt_guid_be, 8);	/* service ID */
	/* Slot 1 (bits 31..16), entries 0 (15..8) to 0 (7..0). */
	KUNIT_ASSERT_EQ(test, kt_dm(test, KT_GET, KT_SVC_ENTRIES, 0x00010000),
			KT_ST_OK);
	KUNIT_EXPECT_MEMEQ(test, dm->out + 64, exp, sizeof(exp));
}

static void dm_svc_bad_range(struct kunit *test)
{
	/* There is one entry, 0: any other first or last entry is bad. */
	static const u32 mods[] = {
		0x00010001, 0x00010100, 0x00010101, 0x000103ff, 0x0001ff00,
		0x00010302,
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(mods); i++)
		kt_dm_err(test, KT_GET, KT_SVC_ENTRIES, mods[i],
			  KT_ST_BAD_VALUE);
}

static void dm_svc_bad_slots(struct kunit *test)
{
	kt_dm_err(test, KT_GET, KT_SVC_ENTRIES, 0x00020000, KT_ST_NO_IOC);
	kt_dm_err(test, KT_GET, KT_SVC_ENTRIES, 0x00100000, KT_ST_NO_IOC);
	kt_dm_err(test, KT_GET, KT_SVC_ENTRIES, 0x00000000, KT_ST_BAD_VALUE);
	kt_dm_err(test, KT_GET, KT_SVC_ENTRIES, 0x00110000, KT_ST_BAD_VALUE);
	kt_dm_err(test, KT_GET, KT_SVC_ENTRIES, 0xffff0000, KT_ST_BAD_VALUE);
}

static void dm_unknown_attribute(struct kunit *test)
{
	static const u16 attrs[] = { 0x0000, 0x0002, 0x0013, 0x0020, 0xff00,
				     0xffff };
	int i;

	for (i = 0; i < ARRAY_SIZE(attrs); i++)
		kt_dm_err(test, KT_GET, attrs[i], 1, KT_ST_BAD_ATTR);
}

static void dm_set_rejected(struct kunit *test)
{
	static const u16 attrs[] = { KT_CLASS_PORT_INFO, KT_IOU_INFO,
				     KT_IOC_PROFILE, KT_SVC_ENTRIES, 0x0020 };
	int i;

	for (i = 0; i < ARRAY_SIZE(attrs); i++)
		kt_dm_err(test, KT_SET, attrs[i], 1, KT_ST_BAD_ATTR);
}

static void dm_other_methods(struct kunit *test)
{
	/* Send, Trap, Report, TrapRepress, GetTable, and a response. */
	static const u8 methods[] = { 0x00, 0x03, 0x05, 0x06, 0x07, 0x12,
				      0x81 };
	int i;

	for (i = 0; i < ARRAY_SIZE(methods); i++)
		kt_dm_err(test, methods[i], KT_IOC_PROFILE, 1,
			  KT_ST_BAD_METHOD);
}

static struct kunit_case srpt_dm_cases[] = {
	KUNIT_CASE(dm_class_port_info),
	KUNIT_CASE(dm_iou_info),
	KUNIT_CASE(dm_ioc_profile),
	KUNIT_CASE(dm_ioc_profile_rdma_size),
	KUNIT_CASE(dm_ioc_profile_empty_slots),
	KUNIT_CASE(dm_ioc_profile_bad_slots),
	KUNIT_CASE(dm_svc_entry),
	KUNIT_CASE(dm_svc_bad_range),
	KUNIT_CASE(dm_svc_bad_slots),
	KUNIT_CASE(dm_unknown_attribute),
	KUNIT_CASE(dm_set_rejected),
	KUNIT_CASE(dm_other_methods),
	{}
};

static struct kunit_suite srpt_dm_suite = {
	.name = "ib_srpt_dm",
	.init = kt_dm_init,
	.test_cases = srpt_dm_cases,
};

/* ---------------------------------------------------------------------
 * Information units on a live channel, and the send-queue budget
 */

/* SRP_T_LOGOUT reasons (SRP r16a). */
#define KT_LOGOUT_BAD_TYPE	0x02U
#define KT_LOGOUT_UNEXPECTED	0x03U
#define KT_LOGOUT_BAD_LEN	0x08U

/* An IU of @len bytes starting with @opcode, and the check's answer. */
struct kt_iu {
	const char *what;
	u8 opcode;
	u32 len;
	u32 reason;
};

static const struct kt_iu kt_ius[] = {
	{ "empty SEND", 0x02, 0, KT_LOGOUT_BAD_LEN },
	{ "SRP_CMD, 1 byte", 0x02, 1, KT_LOGOUT_BAD_LEN },
	{ "SRP_CMD, 15 bytes (no tag)", 0x02, 15, KT_LOGOUT_BAD_LEN },
	{ "SRP_CMD, 47 bytes", 0x02, 47, KT_LOGOUT_BAD_LEN },
	{ "SRP_CMD, 48 bytes", 0x02, 48, 0 },
	{ "SRP_TSK_MGMT, 47 bytes", 0x01, 47, KT_LOGOUT_BAD_LEN },
	{ "SRP_TSK_MGMT, 48 bytes", 0x01, 48, 0 },
	{ "SRP_I_LOGOUT, 15 bytes", 0x03, 15, KT_LOGOUT_BAD_LEN },
	{ "SRP_I_LOGOUT, 16 bytes", 0x03, 16, 0 },
	{ "SRP_LOGIN_REQ on a channel", 0x00, 64, KT_LOGOUT_BAD_TYPE },
	{ "SRP_CRED_RSP, unsolicited", 0x41, 16, KT_LOGOUT_UNEXPECTED },
	{ "SRP_AER_RSP, unsolicited", 0x42, 16, KT_LOGOUT_UNEXPECTED },
	{ "SRP_AER_RSP, 1 byte", 0x42, 1, KT_LOGOUT_UNEXPECTED },
	{ "SRP_RSP from the initiator", 0xc1, 36, KT_LOGOUT_BAD_TYPE },
	{ "SRP_T_LOGOUT from the initiator", 0x80, 16, KT_LOGOUT_BAD_TYPE },
	{ "SRP_CRED_REQ from the initiator", 0x81, 16, KT_LOGOUT_BAD_TYPE },
	{ "opcode 0x04", 0x04, 48, KT_LOGOUT_BAD_TYPE },
	{ "opcode 0xff, 1 byte", 0xff, 1, KT_LOGOUT_BAD_TYPE },
};

static void kt_iu_desc(const struct kt_iu *t, char *desc)
{
	strscpy(desc, t->what, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(kt_iu, kt_ius, kt_iu_desc);

/* The IU sits at the end of a mapping: reading past @len faults. */
static void iu_check(struct kunit *test)
{
	const struct kt_iu *t = test->param_value;
	u8 *iu = kunit_kzalloc(test, 64, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, iu);
	iu[0] = t->opcode;
	KUNIT_EXPECT_EQ(test, srpt_iu_check(kt_tail(test, iu, t->len), t->len),
			t->reason);
}

/* What a channel's commands may reserve of the send queue. */
struct kt_budget {
	const char *what;
	u32 qp_send_wr, cq_size, recv_wrs, budget;
};

static const struct kt_budget kt_budgets[] = {
	/* Asked 4096 + 1024 (rdma_rw), CQ 4096 + 1024 + 128. */
	{ "QP as asked", 5120, 5248, 128, 5119 },
	{ "QP deeper than asked (rounded up)", 8191, 5248, 128, 5119 },
	{ "QP shallower than asked", 2047, 5248, 128, 2046 },
	{ "CQ capped by the HCA", 5120, 4096, 128, 3967 },
	{ "CQ no larger than the receives", 64, 128, 128, 0 },
	{ "nothing", 0, 0, 0, 0 },
};

static void kt_budget_desc(const struct kt_budget *t, char *desc)
{
	strscpy(desc, t->what, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(kt_budget, kt_budgets, kt_budget_desc);

static void sq_budget(struct kunit *test)
{
	const struct kt_budget *t = test->param_value;

	KUNIT_EXPECT_EQ(test, srpt_sq_budget(t->qp_send_wr, t->cq_size,
					     t->recv_wrs), t->budget);
}

/* The send work requests of the largest command a login allows. */
struct kt_cmd_wrs {
	const char *what;
	u32 it_iu_len, sge, mr_pages, wrs;
};

static const struct kt_cmd_wrs kt_cmd_wrs_cases[] = {
	/* 255 descriptors, (4096 + 255) pages over 16 SGEs. */
	{ "8 KiB immediate data, no registration", 8260, 16, 0, 255 + 272 },
	{ "8 KiB immediate data, 256-page MRs", 8260, 16, 256,
	  3 * (255 + 17) },
	{ "12 descriptors, 32 SGEs", 68 + 12 * 16, 32, 0, 12 + 129 },
	{ "IU too short for a table: one descriptor", 64, 16, 0, 1 + 257 },
	{ "no SGE reported: one per work request", 64, 0, 0, 1 + 4097 },
	{ "descriptor count capped at 255", 1U << 20, 16, 0, 255 + 272 },
};

static void kt_cmd_wrs_desc(const struct kt_cmd_wrs *t, char *desc)
{
	strscpy(desc, t->what, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(kt_cmd_wrs, kt_cmd_wrs_cases, kt_cmd_wrs_desc);

static void cmd_max_wrs(struct kunit *test)
{
	const struct kt_cmd_wrs *t = test->param_value;

	KUNIT_EXPECT_EQ(test, srpt_cmd_max_wrs(t->it_iu_len, t->sge,
					       t->mr_pages), t->wrs);
}

/* The send queue depth a channel asks for. */
struct kt_sq_need {
	const char *what;
	u32 credits, ctx_wrs, cmd_max_wrs, need;
};

static const struct kt_sq_need kt_sq_needs[] = {
	{ "largest command decides", 128, 1, 527, 529 },
	{ "with registration", 128, 3, 816, 818 },
	{ "credits decide", 128, 1, 100, 257 },
	{ "credits with registration decide", 128, 3, 300, 513 },
	{ "no credits", 0, 1, 0, 2 },
};

static void kt_sq_need_desc(const struct kt_sq_need *t, char *desc)
{
	strscpy(desc, t->what, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(kt_sq_need, kt_sq_needs, kt_sq_need_desc);

static void sq_need(struct kunit *test)
{
	const struct kt_sq_need *t = test->param_value;

	KUNIT_EXPECT_EQ(test, srpt_sq_need(t->credits, t->ctx_wrs,
					   t->cmd_max_wrs), t->need);
}

/* How receive buffers are packed. */
struct kt_layout {
	const char *what;
	u32 size, n, align, data_off, head, stride, per_chunk;
};

static const struct kt_layout kt_layouts[] = {
	/* Three in seven pages instead of one per four. */
	{ "8260-byte IUs", 8260, 128, 64, 0, 0, 8320, 3 },
	{ "fewer buffers than a run holds", 8260, 2, 64, 0, 0, 8320, 2 },
	{ "larger than a run: one each", 100000, 10, 64, 0, 0, 100032, 1 },
	{ "DMA alignment above a cache line", 8276, 4095, 128, 0, 0, 8320, 3 },
	{ "alignment below a cache line", 8200, 16, 8, 0, 0, 8256, 3 },
	{ "small IUs", 64, 128, 64, 0, 0, 64, 128 },
	{ "no buffers", 8260, 0, 64, 0, 0, 8320, 1 },
	/* ib_srp: data at 68 lands on 512; still three in seven pages. */
	{ "immediate data at 68", 8260, 128, 64, 68, 444, 8704, 3 },
	{ "immediate data at 512", 8260, 128, 64, 512, 0, 8704, 3 },
	{ "immediate data, IU a multiple of 512", 8192, 128, 64, 80, 432, 8704, 3 },
	{ "immediate data, 1024-byte DMA alignment", 4196, 16, 1024, 68, 956, 6144, 5 },
	{ "immediate data, larger than a run", 40000, 4, 64, 68, 444, 40448, 1 },
};

static void kt_layout_desc(const struct kt_layout *t, char *desc)
{
	strscpy(desc, t->what, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(kt_layout, kt_layouts, kt_layout_desc);

static void recv_layout(struct kunit *test)
{
	const struct kt_layout *t = test->param_value;
	struct srpt_recv_layout l;
	u32 j, start;

	srpt_recv_layout(t->size, t->n, t->align, t->data_off, &l);
	KUNIT_EXPECT_EQ(test, l.head, t->head);
	KUNIT_EXPECT_EQ(test, l.stride, t->stride);
	KUNIT_EXPECT_EQ(test, l.per_chunk, t->per_chunk);
	/* A run never exceeds PAGE_ALLOC_COSTLY_ORDER unless one buffer does. */
	if (l.per_chunk > 1)
		KUNIT_EXPECT_LE(test, l.head + l.per_chunk * l.stride,
				PAGE_SIZE << PAGE_ALLOC_COSTLY_ORDER);
	for (j = 0; j < l.per_chunk; j++) {
		start = l.head + j * l.stride;
		if (t->data_off)
			KUNIT_EXPECT_TRUE(test, IS_ALIGNED(start + t->data_off,
							   SRPT_IMM_ALIGN));
		else
			KUNIT_EXPECT_TRUE(test, IS_ALIGNED(start, t->align));
		/* Unaligned neighbours are a cache line apart at least. */
		if (j && t->data_off)
			KUNIT_EXPECT_GE(test, l.stride - t->size,
					max_t(u32, t->align, SMP_CACHE_BYTES));
	}
}

static struct kunit_case srpt_iu_cases[] = {
	KUNIT_CASE_PARAM(iu_check, kt_iu_gen_params),
	KUNIT_CASE_PARAM(sq_budget, kt_budget_gen_params),
	KUNIT_CASE_PARAM(cmd_max_wrs, kt_cmd_wrs_gen_params),
	KUNIT_CASE_PARAM(sq_need, kt_sq_need_gen_params),
	KUNIT_CASE_PARAM(recv_layout, kt_layout_gen_params),
	{}
};

static struct kunit_suite srpt_iu_suite = {
	.name = "ib_srpt_iu",
	.test_cases = srpt_iu_cases,
};

kunit_test_suites(&srpt_login_suite, &srpt_req_suite, &srpt_cmd_suite,
		  &srpt_iu_suite, &srpt_rsp_suite, &srpt_names_suite,
		  &srpt_acl_suite, &srpt_attr_suite, &srpt_dm_suite);

MODULE_DESCRIPTION("KUnit tests for the SCSI RDMA Protocol target");
MODULE_LICENSE("GPL");
