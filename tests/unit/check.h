/* check.h - a small unit-test harness: TEST(name) registers a test, CHECK* report the
 * first failed assertion with its file and line.  The runner prints
 * "N passed, N failed" last. */
#ifndef NB_CHECK_H
#define NB_CHECK_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct nbt_case {
	const char *name;
	void (*fn)(void);
	struct nbt_case *next;
};

void nbt_register(struct nbt_case *c);
void nbt_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int nbt_failed(void);

#define TEST(name)                                                                   \
	static void name(void);                                                      \
	static struct nbt_case name##_case = { #name, name, NULL };                  \
	__attribute__((constructor)) static void name##_reg(void)                    \
	{                                                                            \
		nbt_register(&name##_case);                                          \
	}                                                                            \
	static void name(void)

#define CHECK(cond)                                                                  \
	do {                                                                         \
		if (!(cond)) {                                                       \
			nbt_fail(__FILE__, __LINE__, "%s", #cond);                   \
			return;                                                      \
		}                                                                    \
	} while (0)

#define CHECK_MSG(cond, ...)                                                         \
	do {                                                                         \
		if (!(cond)) {                                                       \
			nbt_fail(__FILE__, __LINE__, __VA_ARGS__);                   \
			return;                                                      \
		}                                                                    \
	} while (0)

#define CHECK_EQ_U64(a, b)                                                           \
	do {                                                                         \
		unsigned long long a_ = (unsigned long long)(a), b_ = (unsigned long long)(b); \
		CHECK_MSG(a_ == b_, "%s == %s: %llu != %llu", #a, #b, a_, b_);      \
	} while (0)

#define CHECK_STR(a, b)                                                              \
	do {                                                                         \
		const char *a_ = (a), *b_ = (b);                                     \
		CHECK_MSG(a_ && b_ && strcmp(a_, b_) == 0, "%s == %s: \"%s\" != \"%s\"", \
			  #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)");             \
	} while (0)

#define CHECK_NEAR(a, b, tol)                                                        \
	do {                                                                         \
		double a_ = (a), b_ = (b);                                           \
		CHECK_MSG(fabs(a_ - b_) <= (tol), "%s ~= %s: %.9g vs %.9g (tol %g)",   \
			  #a, #b, a_, b_, (double)(tol));                              \
	} while (0)

#endif
