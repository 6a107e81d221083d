#ifndef OCTO_CCURL_SHIM_H
#define OCTO_CCURL_SHIM_H
#include <curl/curl.h>

/*
 * octo-git does not link libcurl: its dependency tree (TLS, Kerberos, LDAP, IDN…) would cost every
 * process, hooks included, several milliseconds of dynamic linking. CurlLibrary opens it with dlopen the
 * first time something needs the network, and these wrappers call the functions it looked up.
 */
#include <dlfcn.h>

/* curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call: typed wrappers. */
typedef CURLcode (*octo_curl_setopt_fn)(CURL *, CURLoption, ...);
typedef CURLcode (*octo_curl_getinfo_fn)(CURL *, CURLINFO, ...);

static inline CURLcode octo_curl_setopt_string(void *setopt, CURL *handle, CURLoption option, const char *value) {
  return ((octo_curl_setopt_fn)setopt)(handle, option, value);
}
static inline CURLcode octo_curl_setopt_long(void *setopt, CURL *handle, CURLoption option, long value) {
  return ((octo_curl_setopt_fn)setopt)(handle, option, value);
}
static inline CURLcode octo_curl_setopt_pointer(void *setopt, CURL *handle, CURLoption option, void *value) {
  return ((octo_curl_setopt_fn)setopt)(handle, option, value);
}
static inline CURLcode octo_curl_getinfo_long(void *getinfo, CURL *handle, CURLINFO info, long *value) {
  return ((octo_curl_getinfo_fn)getinfo)(handle, info, value);
}
/* A libcurl write callback's signature, so Swift can pass a C function pointer. */
typedef size_t (*octo_curl_write_fn)(char *, size_t, size_t, void *);

static inline CURLcode octo_curl_setopt_write_function(void *setopt, CURL *handle, octo_curl_write_fn function) {
  return ((octo_curl_setopt_fn)setopt)(handle, CURLOPT_WRITEFUNCTION, function);
}

/* The header callback takes the same signature as the write callback. */
static inline CURLcode octo_curl_setopt_header_function(void *setopt, CURL *handle, octo_curl_write_fn function) {
  return ((octo_curl_setopt_fn)setopt)(handle, CURLOPT_HEADERFUNCTION, function);
}

/* The version string of a loaded libcurl, through its curl_version_info. */
static inline const char *octo_curl_version_from(void *version_info) {
  typedef curl_version_info_data *(*fn)(CURLversion);
  return ((fn)version_info)(CURLVERSION_NOW)->version;
}
#endif
