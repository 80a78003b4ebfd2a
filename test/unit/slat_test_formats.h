/* Shared by the SLAT host tests: the formats every walker test runs against, as Criterion params. */
#ifndef TEST_UNIT_SLAT_TEST_FORMATS_H
#define TEST_UNIT_SLAT_TEST_FORMATS_H

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "fakes/fake_hv.h"
#include "libhv/slat/slat_walk.h"

/*
 * One walker configuration: a format and the processor features it runs with. The format is
 * named, not pointed at: Criterion hands parameters to a fresh process, where addresses differ.
 */
enum slat_case_format { SLAT_CASE_NPT, SLAT_CASE_EPT };

struct slat_case {
	enum slat_case_format format;
	bool execute_only;
	bool hw_dirty;
};

static const struct slat_case slat_cases[] = {
    {SLAT_CASE_NPT, false, true},
    {SLAT_CASE_EPT, false, false},
    {SLAT_CASE_EPT, true, true},
};

static inline const struct slat_format *slat_case_format(const struct slat_case *c)
{
	return c->format == SLAT_CASE_NPT ? &slat_format_npt : &slat_format_ept;
}

/*
 * FORMAT_TEST(suite, name) { body } runs the body once per configuration in slat_cases (NPT;
 * EPT; EPT with execute-only and A/D), after the file's own slat_test_start(c).
 */
#define FORMAT_TEST(suite, name)                                                        \
	static void name##_body(const struct slat_case *c);                             \
	ParameterizedTestParameters(suite, name)                                        \
	{                                                                               \
		return cr_make_param_array(struct slat_case, (void *)slat_cases,        \
		                           sizeof(slat_cases) / sizeof(slat_cases[0])); \
	}                                                                               \
	ParameterizedTest(struct slat_case *c, suite, name)                             \
	{                                                                               \
		slat_test_start(c);                                                     \
		name##_body(c);                                                         \
	}                                                                               \
	static void name##_body(__attribute__((unused)) const struct slat_case *c)

#endif
