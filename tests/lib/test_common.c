/* test_common.c - common/'s small utilities: JSON accessors, log lines, the file
 * helpers and the clocks. */
#include "../unit/check.h"
#include "../../common/clock.h"
#include "../../common/files.h"
#include "../../common/json.h"
#include "../../common/log.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

TEST(json_path_and_typed_values)
{
	cJSON *o = cJSON_Parse("{\"a\":{\"b\":{\"c\":\"x\"}},\"n\":2.5,\"t\":true,\"s\":\"y\"}");

	CHECK(o);
	CHECK_STR(nb_json_str(o, "a.b.c", NULL), "x");
	CHECK_STR(nb_json_str(o, "s", NULL), "y");
	CHECK(nb_json_path(o, "a.missing.c") == NULL);
	CHECK(nb_json_path(NULL, "a") == NULL);
	CHECK_STR(nb_json_str(o, "n", "dflt"), "dflt");         /* not a string */
	CHECK(nb_json_num(o, "n", -1) == 2.5 && nb_json_num(o, "s", -1) == -1);
	CHECK(nb_json_true(o, "t") && !nb_json_true(o, "n"));
	cJSON_Delete(o);
}

TEST(json_set_replaces_and_removes)
{
	cJSON *o = cJSON_Parse("{\"a\":1,\"b\":2}");

	nb_json_set_num(o, "a", 3);
	CHECK(cJSON_GetArraySize(o) == 2 && nb_json_num(o, "a", 0) == 3);
	CHECK_STR(o->child->next->string, "a");                 /* replaced: moved last */
	nb_json_set_str(o, "b", "z");
	CHECK_STR(nb_json_str(o, "b", NULL), "z");
	nb_json_set_item(o, "a", NULL);
	CHECK(!nb_json_path(o, "a") && cJSON_GetArraySize(o) == 1);
	cJSON_Delete(o);
}

TEST(log_line_is_whole_however_long)
{
	char long_msg[3000], *text;
	FILE *f = tmpfile();
	size_t len;

	CHECK(f);
	memset(long_msg, 'x', sizeof(long_msg) - 1);
	long_msg[sizeof(long_msg) - 1] = '\0';
	nb_log_line(f, "p: ", "%s|%d", long_msg, 7);
	nb_log_line(f, NULL, "short");
	len = (size_t)ftell(f);
	CHECK(len == 3 + 2999 + 2 + 1 + 6);
	rewind(f);
	CHECK((text = malloc(len + 1)) && fread(text, 1, len, f) == len);
	text[len] = '\0';
	CHECK(strncmp(text, "p: xxx", 6) == 0 && strstr(text, "x|7\nshort\n"));
	free(text);
	fclose(f);
}

TEST(files_read_line_mkdirs_and_limits)
{
	char dir[] = "/tmp/nbtest-files-XXXXXX", path[128], line[16];
	FILE *f;
	size_t len;
	char *all;

	CHECK(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/a/b/c", dir);
	CHECK(nb_mkdirs(path) == 0 && nb_mkdirs(path) == 0);    /* idempotent */
	snprintf(path, sizeof(path), "%s/a/f", dir);
	CHECK((f = fopen(path, "w")));
	fputs("first line\nsecond\n", f);
	fclose(f);
	CHECK(nb_read_line(path, line, sizeof(line)) == 0);
	CHECK_STR(line, "first line");
	CHECK((all = nb_file_read(path, 0, &len, NULL)) && len == 18);
	free(all);
	CHECK(nb_file_read(path, 5, NULL, NULL) == NULL && errno == EFBIG);
	unlink(path);
	CHECK(nb_read_line(path, line, sizeof(line)) == -1 && line[0] == '\0');
	snprintf(path, sizeof(path), "rm -r %s", dir);
	CHECK(system(path) == 0);
}

TEST(clock_monotonic_and_utc_format)
{
	char ts[32];
	uint64_t a = nb_mono_ns(), b = nb_mono_ns();

	CHECK(b >= a && nb_mono_s() > 0);
	nb_utc_now(ts, sizeof(ts));
	CHECK(strlen(ts) == 20 && ts[4] == '-' && ts[10] == 'T' && ts[19] == 'Z');
}
