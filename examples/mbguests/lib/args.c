/* key=value words of a multiboot v1 guest's command line. */
#include "args.h"
#include "mbguest.h"

#define MB_INFO_CMDLINE (1U << 2)

const char *mb_cmdline(uint32_t magic, const void *info)
{
	const uint32_t *mb = info;

	/* Field 0 is flags, field 4 (offset 16) the command line's address. */
	if (magic != MB_BOOT_MAGIC || !mb || !(mb[0] & MB_INFO_CMDLINE) || !mb[4])
		return "";
	return (const char *)mb[4];
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The value of the word `key=...`, its length in *len; 0 when absent. The last one wins. */
static const char *find_value(const char *s, const char *key, size_t *len)
{
	size_t klen = strlen(key);
	const char *found = 0;

	while (*s) {
		const char *w = s;

		while (*s && !is_blank(*s))
			s++;
		if ((size_t)(s - w) > klen && memcmp(w, key, klen) == 0 && w[klen] == '=') {
			found = w + klen + 1;
			*len = (size_t)(s - found);
		}
		while (is_blank(*s))
			s++;
	}
	return found;
}

uint32_t arg_u32(const char *cmdline, const char *key, uint32_t dflt)
{
	size_t len;
	const char *v = find_value(cmdline, key, &len);
	uint64_t n = 0;

	if (!v || len == 0 || len > 10)
		return dflt;
	for (size_t i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return dflt;
		n = n * 10 + (uint32_t)(v[i] - '0');
	}
	return n > 0xffffffffULL ? dflt : (uint32_t)n;
}

bool arg_is(const char *cmdline, const char *key, const char *value)
{
	size_t len;
	const char *v = find_value(cmdline, key, &len);

	return v && len == strlen(value) && memcmp(v, value, len) == 0;
}
