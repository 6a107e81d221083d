/*
 * Debian builds libgit2 with mbedTLS, and git_libgit2_init() parses the whole system CA bundle
 * (/etc/ssl/certs/ca-certificates.crt) through these two mbedTLS functions: about 5 ms of every
 * octo-git process, hooks included — more than the rest of a post-commit hook's work.
 *
 * octo-git never uses libgit2's network transports: fetch and push go through the git CLI with the
 * user's own credentials and certificates. So this executable defines the two functions itself; the
 * dynamic linker resolves libgit2's calls to these definitions before libmbedx509's (an executable's
 * symbols come first), and no certificate is parsed. Should libgit2 ever be asked for an HTTPS
 * connection, it would find no trusted certificate and refuse it: the failure is closed, not open.
 */
#include "CShims.h"

struct mbedtls_x509_crt;

int mbedtls_x509_crt_parse_file(struct mbedtls_x509_crt *chain, const char *path) {
  (void)chain;
  (void)path;
  return 0;
}

int mbedtls_x509_crt_parse_path(struct mbedtls_x509_crt *chain, const char *path) {
  (void)chain;
  (void)path;
  return 0;
}

int octo_git_certificates_skipped(void) { return 1; }
