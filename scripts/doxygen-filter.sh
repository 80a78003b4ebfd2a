#!/bin/sh
# Doxygen INPUT_FILTER for the public headers, so that they keep plain house-style comments:
# - line 1, a header's one-line purpose comment (STYLE.md), becomes its @file documentation;
# - "#GP", "#UD" and the like are exception names, not Doxygen links: escaped.
# Line numbers stay as they are, so warnings point at the right lines.
exec sed -e "1s|^/\* \(.*\) \*/\$|/** @file $1 \1 */|" -e 's/\([^\\]\)#\([A-Z]\)/\1\\#\2/g' "$1"
