/* main.c - runs every registered unit test (or those whose name contains argv[1]). */
#include "check.h"

#include <stdarg.h>
#include <stdlib.h>

static struct nbt_case *head;
static int current_failed;

void nbt_register(struct nbt_case *c)
{
	c->next = head;
	head = c;
}

void nbt_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	current_failed = 1;
	printf("  %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

int nbt_failed(void) { return current_failed; }

int main(int argc, char **argv)
{
	struct nbt_case *rev = NULL;
	int passed = 0, failed = 0;

	/* Constructors register in reverse; restore file order for readable output. */
	while (head) {
		struct nbt_case *n = head->next;
		head->next = rev;
		rev = head;
		head = n;
	}
	for (struct nbt_case *c = rev; c; c = c->next) {
		if (argc > 1 && !strstr(c->name, argv[1]))
			continue;
		current_failed = 0;
		fflush(stdout);
		c->fn();
		printf("%s %s\n", current_failed ? "FAIL" : "ok  ", c->name);
		fflush(stdout);
		if (current_failed)
			failed++;
		else
			passed++;
	}
	const char *suite = strrchr(argv[0], '/');
	printf("%s: %d passed, %d failed\n", suite ? suite + 1 : argv[0], passed, failed);
	return failed ? 1 : 0;
}
