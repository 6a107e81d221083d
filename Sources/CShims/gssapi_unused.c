/*
 * Debian's libgit2 can authenticate HTTP with Kerberos (SPNEGO) through GSSAPI. Linked statically (see
 * scripts/static-link.sh), it would pull in the Kerberos libraries, which ship no static archives, and
 * with them six shared libraries to load at every process start.
 *
 * octo-git never uses libgit2's network transports: fetch and push go through the git CLI, which does
 * its own authentication. So the GSSAPI calls libgit2 makes are defined here, each failing with
 * GSS_S_FAILURE. Should libgit2 ever be asked for Kerberos authentication it reports that it could not
 * start GSSAPI: a refusal, never a silent success. Linked dynamically, the same definitions take the
 * place of the Kerberos library's (an executable's symbols come first), so both builds behave alike.
 */
#include <stddef.h>
#include <stdint.h>

typedef uint32_t octo_gss_status;
#define OCTO_GSS_S_FAILURE (13u << 16)

static octo_gss_status octo_gss_failure(octo_gss_status *minor) {
  if (minor != NULL) *minor = 0;
  return OCTO_GSS_S_FAILURE;
}

void *GSS_C_NT_HOSTBASED_SERVICE = NULL;

octo_gss_status gss_indicate_mechs(octo_gss_status *minor, void **mechanisms) {
  if (mechanisms != NULL) *mechanisms = NULL;
  return octo_gss_failure(minor);
}

octo_gss_status gss_import_name(octo_gss_status *minor, void *name, void *type, void **output) {
  (void)name;
  (void)type;
  if (output != NULL) *output = NULL;
  return octo_gss_failure(minor);
}

octo_gss_status gss_init_sec_context(
    octo_gss_status *minor, void *credentials, void **context, void *target, void *mechanism, octo_gss_status flags,
    octo_gss_status lifetime, void *bindings, void *input, void **actual_mechanism, void *output,
    octo_gss_status *returned_flags, octo_gss_status *returned_lifetime) {
  (void)credentials, (void)context, (void)target, (void)mechanism, (void)flags, (void)lifetime, (void)bindings;
  (void)input, (void)output;
  if (actual_mechanism != NULL) *actual_mechanism = NULL;
  if (returned_flags != NULL) *returned_flags = 0;
  if (returned_lifetime != NULL) *returned_lifetime = 0;
  return octo_gss_failure(minor);
}

octo_gss_status gss_display_status(
    octo_gss_status *minor, octo_gss_status status, int type, void *mechanism, octo_gss_status *context, void *text) {
  (void)status, (void)type, (void)mechanism, (void)text;
  if (context != NULL) *context = 0;
  return octo_gss_failure(minor);
}

/* Nothing was ever allocated, so releasing succeeds. */
octo_gss_status gss_delete_sec_context(octo_gss_status *minor, void **context, void *output) {
  (void)output;
  if (context != NULL) *context = NULL;
  if (minor != NULL) *minor = 0;
  return 0;
}

octo_gss_status gss_release_buffer(octo_gss_status *minor, void *buffer) {
  (void)buffer;
  if (minor != NULL) *minor = 0;
  return 0;
}

octo_gss_status gss_release_name(octo_gss_status *minor, void **name) {
  if (name != NULL) *name = NULL;
  if (minor != NULL) *minor = 0;
  return 0;
}

octo_gss_status gss_release_oid_set(octo_gss_status *minor, void **set) {
  if (set != NULL) *set = NULL;
  if (minor != NULL) *minor = 0;
  return 0;
}
