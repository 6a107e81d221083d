/*
 * glibc's memmem (a GNU extension Swift's Glibc module does not export): finding "usage" in transcript
 * lines with it is a vectorised search instead of a byte loop.
 */
#define _GNU_SOURCE
#include <string.h>
#include "CShims.h"

const void *octo_memmem(const void *haystack, size_t haystack_length, const void *needle, size_t needle_length) {
  return memmem(haystack, haystack_length, needle, needle_length);
}
